"""Trains the small Mask R-CNN (+ semantic head) on the pre-rendered synthetic street set,
or, with `--arch fcos` / `--arch retinanet`, a single-stage detector on the same backbone
(single_stage_model.py; boxes and labels only, `--anchor-scale` multiplies its anchor sizes).

Usage:
    python3 train.py --data data/train --out runs/street/checkpoint.pt --minutes 60
    python3 train.py --arch retinanet --anchor-scale 0.5 --out runs/retina-0.5/checkpoint.pt

Time-boxed: the learning rate warms up linearly for `--warmup` steps, then follows a
cosine from `--lr` to 0 over the `--minutes` budget, so any budget ends converged rather
than cut off. SGD with momentum, weight decay, gradient clipping (from-scratch BatchNorm
nets otherwise blow up early). A checkpoint is written every `--save-every` minutes and at
the end; `--resume` continues from one.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from cli import ARCHITECTURES, SINGLE_STAGE, check_choice, output_folder, require_torch


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the street Mask R-CNN")
    ap.add_argument("--arch", default="maskrcnn",
                    help=f"one of {', '.join(ARCHITECTURES + SINGLE_STAGE)}")
    ap.add_argument("--anchor-scale", type=float, default=1.0,
                    help=f"{', '.join(SINGLE_STAGE)}: multiplies the anchor sizes")
    ap.add_argument("--data", default="data/train")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt)")
    ap.add_argument("--size", default="288x512", help="HxW of the model input")
    ap.add_argument("--crop", default="none", help="HxW training crops, or 'none'")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--save-every", type=float, default=5, help="minutes")
    ap.add_argument("--resume", help="checkpoint to continue from (weights, optimizer, schedule)")
    ap.add_argument("--init", help="checkpoint whose weights start a new run (fine-tuning)")
    ap.add_argument("--init-onnx", help="an exported street graph (models/*/model.onnx) whose "
                    "backbone and FPN (and RPN and box head, where the model has them) start a "
                    "new run (onnx_init.py)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=50)
    args = ap.parse_args(argv)
    check_choice("train.py", "--arch", args.arch, ARCHITECTURES + SINGLE_STAGE)
    if not (math.isfinite(args.anchor_scale) and args.anchor_scale > 0):
        sys.exit(f"train.py: --anchor-scale: expected a positive number, found "
                 f"{args.anchor_scale:g}")
    if args.anchor_scale != 1.0 and args.arch not in SINGLE_STAGE:
        sys.exit(f"train.py: --anchor-scale: expected 1 (the default) with --arch {args.arch}, "
                 f"anchor scales are for {', '.join(SINGLE_STAGE)}; found {args.anchor_scale:g}")
    output_folder(os.path.dirname(os.path.abspath(args.out)), "train.py")
    require_torch("train.py")
    from trainer import run  # imports torch

    run(args)


if __name__ == "__main__":
    main()
