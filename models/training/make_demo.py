"""Renders the bundled demo video and its ground truth (held out: no training sequence uses
these seeds).

Usage:
    python3 make_demo.py --out ../demo [--scenes 6] [--frames-per-scene 50] [--fps 15]

Writes street.mp4 (H.264, 640x360), instances.json (COCO instances; image id = frame
index + 1; `track_id` names the object across the frames of its scene) and panoptic.json
(COCO panoptic with RLE segments). ffmpeg comes from FFMPEG_PATH, PATH, or the project's npm
dependency @ffmpeg-installer/ffmpeg. make_demo_tracks.py re-renders the same scenes, without
re-encoding the video, for the tracking ground truth (gt/).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

from dataset import instance_annotations, panoptic_annotation
from world import CATEGORIES, Sequence

DEMO_SEEDS = [21, 22, 23, 24, 25, 26, 27, 28]
HERE = os.path.dirname(os.path.abspath(__file__))


def find_ffmpeg() -> str:
    candidates = [os.environ.get("FFMPEG_PATH"), shutil.which("ffmpeg")]
    candidates += glob.glob(os.path.join(HERE, "../../node_modules/.deno/@ffmpeg-installer+linux-x64*"
                                              "/node_modules/@ffmpeg-installer/linux-x64/ffmpeg"))
    candidates += glob.glob(os.path.join(HERE, "../../node_modules/@ffmpeg-installer/linux-x64/ffmpeg"))
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    sys.exit("make_demo.py: expected ffmpeg (FFMPEG_PATH, PATH, or node_modules after "
             "`deno install`), found none")


def add_track_ids(annotations: list, frame, scene: int, track_ids: dict) -> list:
    """Adds `track_id` (right after `category_id`) to one frame's instance annotations, as
    `instance_annotations(frame, ...)` made them (in `frame.instances` order). Ids are positive,
    one per object of the whole video (objects of different scenes never share one), numbered
    in order of first appearance; `track_ids` maps (scene, instance id) to them and grows.

    Example:
        track_ids = {}
        anns = add_track_ids(instance_annotations(frame, 1, 1), frame, 0, track_ids)
    """
    if len(annotations) != len(frame.instances):
        raise ValueError(f"add_track_ids: expected one annotation per instance "
                         f"({len(frame.instances)}), found {len(annotations)}")
    out = []
    for ann, inst in zip(annotations, frame.instances):
        track_id = track_ids.setdefault((scene, inst.id), len(track_ids) + 1)
        tagged = {}
        for key, value in ann.items():
            if key != "track_id":
                tagged[key] = value
            if key == "category_id":
                tagged["track_id"] = track_id
        out.append(tagged)
    return out


def demo_info(fps: int, scenes: int, frames_per_scene: int) -> dict:
    """The `info` of the demo's COCO files."""
    return {"description": "streamdet synthetic street demo (models/training/make_demo.py)",
            "fps": fps, "scenes": scenes, "frames_per_scene": frames_per_scene}


def image_entry(image_id: int, width: int, height: int, scene: int) -> dict:
    """The COCO `images` entry of frame `image_id - 1` of the video."""
    return {"id": image_id, "width": width, "height": height,
            "file_name": f"street.mp4#{image_id - 1}", "frame_index": image_id - 1, "scene": scene}


def write_coco(path: str, info: dict, images: list, annotations: list) -> None:
    """Writes a COCO file as the demo ships it: compact separators, no trailing newline."""
    with open(path, "w") as f:
        json.dump({"info": info, "images": images, "categories": CATEGORIES,
                   "annotations": annotations}, f, separators=(",", ":"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--scenes", type=int, default=6)
    ap.add_argument("--frames-per-scene", type=int, default=50)
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--crf", type=int, default=24)
    args = ap.parse_args(argv)
    if args.scenes > len(DEMO_SEEDS):
        sys.exit(f"make_demo.py: --scenes: expected at most {len(DEMO_SEEDS)}, found {args.scenes}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit(f"make_demo.py: --out: cannot create folder {args.out!r}: {e.strerror}")
    width, height = 640, 360
    video = os.path.join(args.out, "street.mp4")
    ffmpeg = subprocess.Popen(
        [find_ffmpeg(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{width}x{height}", "-r", str(args.fps), "-i", "-", "-c:v", "libx264",
         "-preset", "slow", "-crf", str(args.crf), "-pix_fmt", "yuv420p", "-g", str(args.fps * 2),
         "-movflags", "+faststart", video], stdin=subprocess.PIPE)
    images, annotations, panoptic, track_ids = [], [], [], {}
    for s in range(args.scenes):
        seq = Sequence(DEMO_SEEDS[s], width, height)
        for t in range(args.frames_per_scene):
            frame = seq.render(t)
            ffmpeg.stdin.write(frame.image.tobytes())
            image_id = len(images) + 1
            images.append(image_entry(image_id, width, height, s))
            annotations += add_track_ids(
                instance_annotations(frame, image_id, len(annotations) + 1), frame, s, track_ids)
            pan = panoptic_annotation(frame, image_id)
            pan["file_name"] = images[-1]["file_name"]
            panoptic.append(pan)
    ffmpeg.stdin.close()
    if ffmpeg.wait() != 0:
        sys.exit("make_demo.py: ffmpeg failed to encode the demo video")
    info = demo_info(args.fps, args.scenes, args.frames_per_scene)
    write_coco(os.path.join(args.out, "instances.json"), info, images, annotations)
    write_coco(os.path.join(args.out, "panoptic.json"), info, images, panoptic)
    print(f"wrote {video} ({os.path.getsize(video) / 1e6:.2f} MB, {len(images)} frames), "
          f"{len(annotations)} instances")


if __name__ == "__main__":
    main()
