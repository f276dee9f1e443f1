"""Renders the plaza demo video and its COCO keypoint ground truth (held out: the seed is
below the pose training set's seeds, which start at 200000).

Usage:
    python3 make_plaza_demo.py --out ../demo [--frames 300] [--fps 15] [--people 22]

Writes plaza.mp4 (H.264, 640x360, one continuous scene) and plaza_keypoints.json: a COCO
person keypoints dataset. Image `id` is the frame index + 1 (as the street demo's
instances.json), `file_name` is `plaza.mp4#<frame index>`; each annotation has bbox and area
of the visible pixels, iscrowd (1 for people too hidden or small to learn, as the street
demo's crowd), keypoints [x, y, v] x 17 in COCO's order (v: 0 outside the frame or
unlabelled, 1 hidden, 2 visible; people under 32 x 32 visible pixels are unlabelled, as in
COCO), num_keypoints and `track_id` (the person across frames). The
person category carries COCO's `keypoints` names and `skeleton` (1-based pairs). ffmpeg is
found as make_demo.py finds it (FFMPEG_PATH, PATH, or node_modules' @ffmpeg-installer).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

from make_demo import find_ffmpeg
from pose_dataset import keypoint_annotations
from pose_skeleton import PERSON_CATEGORY
from pose_world import PlazaSequence

PLAZA_SEED = 39  # street demo: 21-28; pose training set: 200000 and up


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--people", type=int, default=22)
    ap.add_argument("--seed", type=int, default=PLAZA_SEED)
    ap.add_argument("--crf", type=int, default=24)
    args = ap.parse_args(argv)
    if args.seed >= 200000:
        sys.exit(f"make_plaza_demo.py: --seed: expected a held-out seed below 200000 (the "
                 f"training set's), found {args.seed}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit(f"make_plaza_demo.py: --out: cannot create folder {args.out!r}: {e.strerror}")
    width, height = 640, 360
    video = os.path.join(args.out, "plaza.mp4")
    ffmpeg = subprocess.Popen(
        [find_ffmpeg(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{width}x{height}", "-r", str(args.fps), "-i", "-", "-c:v", "libx264",
         "-preset", "slow", "-crf", str(args.crf), "-pix_fmt", "yuv420p", "-g", str(args.fps * 2),
         "-movflags", "+faststart", video], stdin=subprocess.PIPE)
    plaza = PlazaSequence(args.seed, width, height, people=args.people, fps=args.fps)
    images, annotations, per_frame = [], [], []
    for t in range(args.frames):
        frame = plaza.render(t)
        ffmpeg.stdin.write(frame.image.tobytes())
        image_id = t + 1
        images.append({"id": image_id, "width": width, "height": height,
                       "file_name": f"plaza.mp4#{t}", "frame_index": t})
        annotations += keypoint_annotations(frame, image_id, len(annotations) + 1)
        per_frame.append(len(frame.people))
    ffmpeg.stdin.close()
    if ffmpeg.wait() != 0:
        sys.exit("make_plaza_demo.py: ffmpeg failed to encode the plaza video")
    info = {"description": "streamdet synthetic plaza demo (models/training/make_plaza_demo.py)",
            "fps": args.fps, "frames": args.frames, "seed": args.seed, "people": args.people}
    with open(os.path.join(args.out, "plaza_keypoints.json"), "w") as f:
        json.dump({"info": info, "images": images, "categories": [PERSON_CATEGORY],
                   "annotations": annotations}, f, separators=(",", ":"))
    heights = np.array([a["bbox"][3] for a in annotations])
    vis = np.array([a["keypoints"][2::3] for a in annotations])
    print(f"wrote {video} ({os.path.getsize(video) / 1e6:.2f} MB, {len(images)} frames) and "
          f"plaza_keypoints.json ({len(annotations)} people; per frame min "
          f"{min(per_frame)}, mean {np.mean(per_frame):.1f}, max {max(per_frame)}; bbox height "
          f"p10 {np.percentile(heights, 10):.0f}, median {np.median(heights):.0f}, p90 "
          f"{np.percentile(heights, 90):.0f} px; keypoints v=2 {np.mean(vis == 2):.1%}, v=1 "
          f"{np.mean(vis == 1):.1%}, v=0 {np.mean(vis == 0):.1%})")


if __name__ == "__main__":
    main()
