"""Draws the pictures of the keypoint study from plaza KeypointRCNN checkpoints
(keypoint_train.py), with PyTorch inference (eval mode) on the plaza demo video
(models/demo/plaza.mp4 and its COCO keypoints, plaza_keypoints.json).

Usage:
    python3 keypoint_pictures.py --out ../../docs/keypoints-study \\
        --checkpoint onehot-56=runs/pose/checkpoint.pt \\
        [--checkpoint gauss2-56=runs/pose/variant-gauss2-56.pt ...] [--frames 60] \\
        [--failures-checkpoint NAME] [--people 4] [--threads 1]

Each frame is decoded by ffmpeg at 640x360 and resized (PIL bilinear, as the training set
was made) to the checkpoint's input size (288x512: an exact 0.8 scale); the model's own
transform normalises it. Predictions are scaled back to the source frame, where all the
numbers below are measured. `--frames N` takes N frames evenly over the video (default 60:
every 5th of the 300).

Pictures, in `--out`:
- heatmaps.png: what each head learned, for `--people` people (default 4) picked from the
  analysed frames: matched to a detection of the failures checkpoint, at least 60 px tall,
  distinct, half of them mostly visible and half with 3 or more occluded keypoints. One
  row per person, labelled with the frame, the annotation id, the person's size (the larger
  side of its visible box) and how many labelled keypoints are occluded (v = 1). The first
  column is the enlarged crop with the ground truth (green; hollow dots: occluded). Then one
  column per `--checkpoint`: its keypoint head run on the SAME detected box (the failures
  checkpoint's), so that the columns differ by the head alone; the heatmap logits as the
  loss sees them, a softmax over each keypoint's S x S map, shown as the maximum over the
  17 maps, pasted over the box (colours relative to the panel's peak), with the decoded
  keypoints (torchvision's decoding; cyan). A regression head has no map: its keypoints
  only. Captions: PCK@0.1 of the decoded keypoints, and "peak", the mean over the 17 maps
  of each map's largest probability (1 = all the mass in one cell; a Gaussian target of
  sigma s cells peaks near 1 / (2 pi s^2)), which says how sharp the maps are when the
  colours cannot.
- heatmaps_per_keypoint.png: the first person's 17 maps of the first checkpoint with a
  heatmap head, one panel each (colours relative to each map's peak), with the true (green)
  and decoded (cyan) keypoint: which joints are sharp, which are spread or bimodal (left /
  right confusions show up as a second blob on the other side).
- failures.png and failures.json: why the failures checkpoint (`--failures-checkpoint`,
  default the first) fails. Detections (score >= 0.05, torchvision's postprocess) are
  matched to the annotated people (num_keypoints > 0) by COCO's OKS (OKS_SIGMAS, area = the
  annotation's area), greedily by score, at OKS >= 0.5. A person counts if it has a visible
  (v = 2) keypoint; its PCK@0.1 is the share of visible keypoints within 0.1 x the larger
  side of its box. A person missed, or matched with PCK@0.1 < 0.6, is a failure of the
  first cause that holds: "missed" (no detection matched), "left/right swap" (the
  prediction with left and right exchanged (FLIP) scores 0.3 or more higher), "occlusion"
  (40% or more of its labelled keypoints occluded), "small" (box under 40 px), "other".
  A missed person may still have a detection box on it (IoU >= 0.5) whose keypoints are too
  far for OKS 0.5: such cases keep the cause "missed" and carry box_iou and box_oks.
  failures.json has the rules, the counts per cause (and missed_with_a_box), the people
  and matched totals, the mean PCK@0.1 of the matched, and every failure (frame index,
  annotation id, cause, pck, pck with left/right swapped, size, occluded share).
  failures.png shows up to 8 of them (each cause that occurs at least once, largest people
  first): ground truth in green, the prediction and its box in red (for a missed person,
  the detection box on it, if any).

Deterministic: the same checkpoints, video and flags give the same pictures (one thread by
default; run it with `nice` beside a training run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from cli import check_choice, output_folder, require_torch

SCRIPT = "keypoint_pictures.py"
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo")
CAUSES = ("missed", "left/right swap", "occlusion", "small", "other")
RULES = {"score": 0.05, "oks_match": 0.5, "pck_alpha": 0.1, "pck_fail": 0.6, "swap_gain": 0.3,
         "occluded_share": 0.4, "small_px": 40}
HEATMAP_MIN_PX = 60
MAX_FAILURE_PANELS = 8


def decode_frames(video: str, width: int, height: int, wanted: set) -> dict:
    """{frame index: H x W x 3 uint8} of the `wanted` frames of `video` (ffmpeg, rgb24)."""
    from make_demo import find_ffmpeg

    size = width * height * 3
    last = max(wanted)
    proc = subprocess.Popen([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-i", video,
                             "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                             "-"], stdout=subprocess.PIPE)
    out = {}
    try:
        for t in range(last + 1):
            buf = proc.stdout.read(size)
            if len(buf) < size:
                sys.exit(f"{SCRIPT}: --video: expected at least {last + 1} frames, found {t}")
            if t in wanted:
                out[t] = np.frombuffer(buf, np.uint8).reshape(height, width, 3).copy()
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
    return out


class Net:
    """One checkpoint's model (eval mode) and its inference on source frames; boxes and
    keypoints in and out are in source-frame pixels."""

    def __init__(self, name: str, path: str):
        import torch

        from keypoint_model import COORDINATE_HEADS, model_from_config

        try:
            state = torch.load(path, map_location="cpu")
        except Exception as e:  # noqa: BLE001 (any unreadable file gets the same message)
            sys.exit(f"{SCRIPT}: --checkpoint: expected a torch checkpoint, found {path!r} "
                     f"unreadable ({' '.join(str(e).split())})")
        if not isinstance(state, dict) or state.get("arch") != "keypointrcnn":
            found = state.get("arch") if isinstance(state, dict) else type(state).__name__
            sys.exit(f"{SCRIPT}: --checkpoint: expected a keypoint_train.py checkpoint (arch "
                     f"'keypointrcnn'), found {found!r} in {path!r}")
        self.name, self.step, self.config = name, state.get("step"), state["config"]
        self.size = tuple(state["size"])
        self.regression = self.config["head"] in COORDINATE_HEADS  # no heatmap to picture
        self.model = model_from_config(self.size, self.config)
        self.model.load_state_dict(state["model"])
        self.model.eval()
        self.cache = {}

    def scale(self, frame: np.ndarray) -> np.ndarray:
        """(sx, sy): source pixels to model input pixels."""
        return np.array([self.size[1] / frame.shape[1], self.size[0] / frame.shape[0]])

    def features(self, frame: np.ndarray):
        """(ImageList, FPN features) of a frame resized to the input size (PIL bilinear,
        as the training set) and normalised by the model's own transform."""
        import torch
        from PIL import Image

        h, w = self.size
        pixels = np.asarray(Image.fromarray(frame).resize((w, h), Image.BILINEAR))
        x = torch.from_numpy(pixels.copy()).permute(2, 0, 1).float() / 255
        images, _ = self.model.transform([x])
        if tuple(images.image_sizes[0]) != self.size:
            raise AssertionError(f"the transform resized {self.size} to {images.image_sizes}")
        return images, self.model.backbone(images.tensors)

    def keypoints(self, images, features, boxes):
        """The keypoint head on `boxes` (tensor [D, 4], input pixels): (softmax maps
        [D, 17, S, S] or None for regression, keypoints [D, 17, 2] in input pixels)."""
        import torch
        from torchvision.models.detection.roi_heads import heatmaps_to_keypoints

        from keypoint_losses import regression_to_image

        heads = self.model.roi_heads
        if boxes.shape[0] == 0:
            return None, np.zeros((0, 17, 2))
        x = heads.keypoint_roi_pool(features, [boxes], images.image_sizes)
        out = heads.keypoint_predictor(heads.keypoint_head(x))
        if self.regression:
            return None, regression_to_image(out, boxes).numpy()
        kps, _ = heatmaps_to_keypoints(out, boxes)
        probs = torch.softmax(out.flatten(2), -1).reshape(out.shape)
        return probs.numpy(), kps[..., :2].numpy()

    def detect(self, frame: np.ndarray):
        """torchvision's eval inference: boxes [D, 4], scores [D], keypoints [D, 17, 2]."""
        import torch

        heads = self.model.roi_heads
        with torch.no_grad():
            images, features = self.features(frame)
            proposals, _ = self.model.rpn(images, features)
            saved = heads.keypoint_predictor
            heads.keypoint_predictor = None  # boxes first (torchvision cannot decode regression)
            try:
                result, _ = heads(features, proposals, images.image_sizes)
            finally:
                heads.keypoint_predictor = saved
            keep = result[0]["scores"] >= RULES["score"]  # the model's own threshold too
            boxes, scores = result[0]["boxes"][keep], result[0]["scores"][keep]
            _, kps = self.keypoints(images, features, boxes)
        s = self.scale(frame)
        return boxes.numpy() / np.tile(s, 2), scores.numpy(), kps / s

    def head_on(self, key, frame: np.ndarray, boxes: np.ndarray):
        """The keypoint head on given source-frame boxes [D, 4] of `frame` (its features
        cached under `key`): (softmax maps or None, keypoints [D, 17, 2] in source pixels)."""
        import torch

        with torch.no_grad():
            if key not in self.cache:
                self.cache[key] = self.features(frame)
            images, features = self.cache[key]
            s = self.scale(frame)
            scaled = torch.from_numpy((boxes * np.tile(s, 2)).astype(np.float32))
            probs, kps = self.keypoints(images, features, scaled)
        return probs, kps / s


def oks(pred: np.ndarray, gt: np.ndarray, area: float) -> np.ndarray:
    """COCO's OKS of predictions [D, 17, 2] against one person [17, 3] (labelled
    keypoints only, as cocoeval.computeOks)."""
    from pose_skeleton import OKS_SIGMAS

    labelled = gt[:, 2] > 0
    var = (2 * np.asarray(OKS_SIGMAS)) ** 2
    d2 = ((pred - gt[None, :, :2]) ** 2).sum(-1)
    e = d2 / var / (area + np.spacing(1)) / 2
    return np.exp(-e[:, labelled]).sum(1) / labelled.sum()


def pck(pred: np.ndarray, gt: np.ndarray, size: float) -> float:
    """Share of the visible (v = 2) keypoints within pck_alpha x size of the truth."""
    visible = gt[:, 2] == 2
    d = np.hypot(*(pred[visible] - gt[visible, :2]).T)
    return float(np.mean(d <= RULES["pck_alpha"] * size))


def analyse_frame(t: int, anns: list, boxes, scores, kps) -> list:
    """The people of frame `t` with a visible keypoint, matched and classified."""
    from pose_skeleton import FLIP

    people = [a for a in anns if not a["iscrowd"] and a["num_keypoints"] > 0]
    gts = [np.array(a["keypoints"], np.float64).reshape(17, 3) for a in people]
    matched = {}
    for d in np.argsort(-scores, kind="stable"):
        best, pick = RULES["oks_match"], None
        for g, (a, gt) in enumerate(zip(people, gts)):
            if g in matched:
                continue
            o = float(oks(kps[d:d + 1], gt, a["area"])[0])
            if o >= best and (pick is None or o > best):
                best, pick = o, g
        if pick is not None:
            matched[pick] = (int(d), best)
    out = []
    for g, (a, gt) in enumerate(zip(people, gts)):
        if not (gt[:, 2] == 2).any():
            continue
        labelled = int((gt[:, 2] > 0).sum())
        occluded = int((gt[:, 2] == 1).sum())
        p = {"frame": t, "id": a["id"], "track": a.get("track_id"), "bbox": a["bbox"],
             "keypoints": gt, "size": float(max(a["bbox"][2:])), "labelled": labelled,
             "occluded": occluded, "occluded_share": occluded / labelled, "box": None,
             "pred": None, "score": None, "oks": None, "pck": None, "pck_swapped": None,
             "near_box": None, "near_pred": None, "near_iou": None, "near_oks": None}
        if g in matched:
            d, o = matched[g]
            p.update(box=boxes[d], pred=kps[d], score=float(scores[d]), oks=o,
                     pck=pck(kps[d], gt, p["size"]), pck_swapped=pck(kps[d][FLIP], gt, p["size"]))
        else:  # the detection box nearest the person's: found, but keypoints too far?
            x, y, w, h = a["bbox"]
            iou = box_iou(boxes, np.array([x, y, x + w, y + h], np.float64))
            if len(iou) and iou.max() >= 0.5:
                d = int(iou.argmax())
                p.update(near_box=boxes[d], near_pred=kps[d], near_iou=float(iou[d]),
                         near_oks=float(oks(kps[d:d + 1], gt, a["area"])[0]))
        p["cause"] = cause_of(p)
        out.append(p)
    return out


def box_iou(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """IoU of boxes [D, 4] with one box (x1, y1, x2, y2)."""
    wh = np.clip(np.minimum(boxes[:, 2:], box[2:]) - np.maximum(boxes[:, :2], box[:2]), 0, None)
    inter = wh[:, 0] * wh[:, 1]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / (area + (box[2] - box[0]) * (box[3] - box[1]) - inter)


def cause_of(p: dict):
    """The failure cause of a person (None: not a failure)."""
    if p["pred"] is None:
        return "missed"
    if p["pck"] >= RULES["pck_fail"]:
        return None
    if p["pck_swapped"] >= p["pck"] + RULES["swap_gain"] - 1e-9:
        return "left/right swap"
    if p["occluded_share"] >= RULES["occluded_share"] - 1e-9:
        return "occlusion"
    if p["size"] < RULES["small_px"]:
        return "small"
    return "other"


def choose_people(people: list, n: int) -> list:
    """[(person, source box x1 y1 x2 y2, whether the box is the ground truth's)]: `n`
    people of distinct tracks, at least HEATMAP_MIN_PX, alternately mostly visible (<= 1
    occluded keypoint) and partly occluded (>= 3), largest first; people no detection
    matched (with their true box) only if the matched run out."""
    def key(p):
        return -p["size"], p["frame"], p["id"]

    big = sorted([p for p in people if p["size"] >= HEATMAP_MIN_PX and p["labelled"] >= 12],
                 key=key)
    pools = []
    for matched in (True, False):
        pool = [p for p in big if (p["pred"] is not None) == matched]
        pools.append([p for p in pool if p["occluded"] <= 1])
        pools.append([p for p in pool if p["occluded"] >= 3])
        pools.append([p for p in pool if p["occluded"] == 2])
    chosen, tracks = [], set()
    for first, last in ((0, 2), (2, 3), (3, 5), (5, 6)):
        while len(chosen) < n:
            before = len(chosen)
            for pool in pools[first:last]:
                pick = next((p for p in pool if p["track"] not in tracks), None)
                if pick is not None and len(chosen) < n:
                    chosen.append(pick)
                    tracks.add(pick["track"])
            if len(chosen) == before:
                break
    out = []
    for p in chosen:
        x, y, w, h = p["bbox"]
        box = p["box"] if p["box"] is not None else np.array([x, y, x + w, y + h], np.float64)
        out.append((p, np.asarray(box, np.float64), p["box"] is None))
    return out


def failures_json(people: list, ref: Net, frames: list) -> dict:
    matched = [p for p in people if p["pred"] is not None]
    failures = [p for p in people if p["cause"]]
    r3 = lambda v: None if v is None else round(float(v), 3)  # noqa: E731
    return {
        "checkpoint": ref.name, "step": ref.step, "config": ref.config,
        "frames": frames, "rules": RULES, "people": len(people), "matched": len(matched),
        "mean_pck": r3(np.mean([p["pck"] for p in matched])) if matched else None,
        "failed": len(failures),
        "counts": {c: sum(p["cause"] == c for p in failures) for c in CAUSES},
        "missed_with_a_box": sum(p["near_box"] is not None for p in failures),
        "failures": [{"frame": p["frame"], "annotation_id": p["id"], "cause": p["cause"],
                      "pck": r3(p["pck"]), "pck_swapped": r3(p["pck_swapped"]),
                      "size": round(p["size"], 1), "occluded_share": r3(p["occluded_share"]),
                      **({"box_iou": r3(p["near_iou"]), "box_oks": r3(p["near_oks"])}
                         if p["near_box"] is not None else {})}
                     for p in failures],
    }


def write_json(data: dict, path: str) -> None:
    """One line per top-level field and per failure case."""
    parts = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k != "failures"]
    cases = ",\n".join(f"    {json.dumps(c)}" for c in data["failures"])
    parts.append(f'  "failures": [\n{cases}\n  ]' if cases else '  "failures": []')
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")


def make_pictures(args, checkpoints: list, coco: dict, folder: str) -> None:
    """Runs the checkpoints on the demo frames and writes the four files into `folder`."""
    import keypoint_picture_draw as draw

    start = time.time()
    nets = [Net(name, path) for name, path in checkpoints]
    ref = nets[[n.name for n in nets].index(args.failures_checkpoint)]
    image = coco["images"][0]
    total = len(coco["images"])
    indices = [i * total // args.frames for i in range(args.frames)]
    frames = decode_frames(args.video, image["width"], image["height"], set(indices))
    by_frame = {}
    for a in coco["annotations"]:
        by_frame.setdefault(a["image_id"] - 1, []).append(a)
    people = []
    for t in indices:
        boxes, scores, kps = ref.detect(frames[t])
        people += analyse_frame(t, by_frame.get(t, []), boxes, scores, kps)
    print(f"{ref.name}: {len(indices)} frames, {len(people)} people in "
          f"{time.time() - start:.1f} s", flush=True)

    data = failures_json(people, ref, indices)
    write_json(data, os.path.join(folder, "failures.json"))
    title = [f"failures of {ref.name} (step {ref.step}): {data['failed']} of {data['people']} "
             f"people in {len(indices)} frames",
             ", ".join(f"{c} {k}" for c, k in data["counts"].items() if k)]
    picture = draw.failures_picture([p for p in people if p["cause"]], frames, CAUSES,
                                    MAX_FAILURE_PANELS, title)
    report(folder, "failures.png", draw.save_png(picture, os.path.join(folder, "failures.png")))
    print(f"  {data['failed']} failures: {data['counts']}; mean PCK@0.1 of the matched "
          f"{data['mean_pck']}")

    chosen = choose_people(people, args.people)
    if len(chosen) < args.people:
        print(f"  only {len(chosen)} people fit heatmaps.png (asked for {args.people})")
    if not chosen:
        return
    rows = []
    for p, box, from_gt in chosen:
        columns = []
        for net in nets:
            probs, kps = net.head_on(p["frame"], frames[p["frame"]], box[None])
            columns.append({"name": net.name, "step": net.step,
                            "probs": None if probs is None else probs[0], "kps": kps[0],
                            "pck": pck(kps[0], p["keypoints"], p["size"])})
        rows.append({"person": p, "frame": frames[p["frame"]], "box": box, "from_gt": from_gt,
                     "columns": columns})
    picture = draw.heatmap_picture(rows)
    report(folder, "heatmaps.png", draw.save_png(picture, os.path.join(folder, "heatmaps.png")))
    which = next((k for k, net in enumerate(nets) if not net.regression), None)
    if which is None:
        print("  no heatmap head among the checkpoints: no heatmaps_per_keypoint.png")
    else:
        picture = draw.per_keypoint_picture(rows[0], which)
        path = os.path.join(folder, "heatmaps_per_keypoint.png")
        report(folder, "heatmaps_per_keypoint.png", draw.save_png(picture, path))
    print(f"done in {time.time() - start:.1f} s")


def report(folder: str, name: str, size: int) -> None:
    print(f"  wrote {os.path.join(folder, name)} ({size / 1e3:.0f} kB)", flush=True)


def parse_checkpoints(values: list) -> list:
    """[(name, path)] of the NAME=PATH flags; exits on a malformed or repeated name."""
    out = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            sys.exit(f"{SCRIPT}: --checkpoint: expected NAME=PATH (e.g. "
                     f"onehot-56=runs/pose/checkpoint.pt), found {v!r}")
        if name in [n for n, _ in out]:
            sys.exit(f"{SCRIPT}: --checkpoint: expected distinct names, found {name!r} twice")
        if not os.path.isfile(path):
            sys.exit(f"{SCRIPT}: --checkpoint: expected a checkpoint written by "
                     f"keypoint_train.py, found no file {path!r}")
        out.append((name, path))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="picture folder, e.g. ../../docs/keypoints-study")
    ap.add_argument("--checkpoint", action="append", required=True, metavar="NAME=PATH",
                    help="a column of heatmaps.png (repeatable, in order)")
    ap.add_argument("--failures-checkpoint", metavar="NAME",
                    help="the checkpoint of failures.png/json (default: the first)")
    ap.add_argument("--frames", type=int, default=60, help="frames analysed, evenly spaced")
    ap.add_argument("--people", type=int, default=4, help="rows of heatmaps.png")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--video", default=os.path.join(DEMO, "plaza.mp4"))
    ap.add_argument("--annotations", default=os.path.join(DEMO, "plaza_keypoints.json"))
    args = ap.parse_args(argv)
    checkpoints = parse_checkpoints(args.checkpoint)
    names = [n for n, _ in checkpoints]
    args.failures_checkpoint = args.failures_checkpoint or names[0]
    check_choice(SCRIPT, "--failures-checkpoint", args.failures_checkpoint, names)
    for flag, value in (("--people", args.people), ("--threads", args.threads)):
        if value < 1:
            sys.exit(f"{SCRIPT}: {flag}: expected 1 or more, found {value}")
    for flag, path in (("--video", args.video), ("--annotations", args.annotations)):
        if not os.path.isfile(path):
            sys.exit(f"{SCRIPT}: {flag}: expected a file, found none at {path!r}")
    try:
        with open(args.annotations) as f:
            coco = json.load(f)
        total = len(coco["images"])
    except (ValueError, KeyError, TypeError) as e:
        sys.exit(f"{SCRIPT}: --annotations: expected a COCO keypoints file, found "
                 f"{args.annotations!r} unreadable ({e})")
    if not 1 <= args.frames <= total:
        sys.exit(f"{SCRIPT}: --frames: expected 1 to {total}, found {args.frames}")
    folder = output_folder(args.out, SCRIPT)
    torch = require_torch(SCRIPT)
    torch.set_num_threads(args.threads)
    make_pictures(args, checkpoints, coco, folder)


if __name__ == "__main__":
    main()
