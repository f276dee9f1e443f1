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
  failures.json has the rules, the counts per cause, the people and matched totals, the
  mean PCK@0.1 of the matched, and every failure (frame index, annotation id, cause, pck,
  pck with left/right swapped, size, occluded share). failures.png shows up to 8 of them
  (each cause that occurs at least once, largest people first): ground truth in green,
  the prediction and its box in red.

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
