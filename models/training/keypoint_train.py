"""Trains the plaza KeypointRCNN (keypoint_model.py) on the pre-rendered pose set, on the CPU.

Usage:
    # the shared model: everything trained, torchvision's one-hot keypoint loss at 56x56
    python3 keypoint_train.py --data data/pose --out runs/pose/checkpoint.pt --minutes 60
    # a variant of the study: the keypoint head alone, on the shared model's frozen trunk
    python3 keypoint_train.py --data data/pose --out runs/pose/gauss2-28.pt --minutes 20 \\
        --init runs/pose/checkpoint.pt --heads-only --head heatmap --sigma 2 --heatmap-size 28
    python3 keypoint_train.py ... --heads-only --head regression

Heads: `--head heatmap --sigma S --heatmap-size {28,56}` (S = 0: torchvision's one-hot loss;
S > 0: Gaussian targets of S heatmap cells, cross-entropy over the spatial softmax; see
keypoint_losses.py for the choice), `--head regression` (17 x 2 coordinates normalised to
the box, L1) or `--head integral` (the same coordinates as the soft-argmax of 28 x 28
heatmaps, L1). `--heads-only` trains the keypoint conv stack and predictor alone, starting
fresh, on the backbone, RPN and box head of `--init` (frozen, BatchNorm in eval mode);
`--keep-head-convs` starts the conv stack from `--init` too, so only the predictor is new.

Time-boxed as train.py: linear warm-up for `--warmup` steps, then a cosine from `--lr` to 0
over `--minutes`; SGD with momentum, weight decay, gradients clipped at 10. A checkpoint is
written every `--save-every` minutes and at the end; `--resume` continues one (its model
configuration wins over the flags). `--init-onnx ../street-maskrcnn/model.onnx` starts the
trunk (backbone, FPN, RPN, box head MLP) from the street Mask R-CNN's exported graph; given
an exported keypoint graph (../plaza-keypointrcnn/model.onnx) it starts from all of it, to go
on training the shipped model with a fresh schedule.
"""

from __future__ import annotations

import argparse
import os
import sys

from cli import check_choice, output_folder, require_torch

HEADS = ("heatmap", "regression", "integral")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the plaza KeypointRCNN")
    ap.add_argument("--data", default="data/pose",
                    help="training set folder(s), comma-separated")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt)")
    ap.add_argument("--size", default="288x512", help="HxW of the model input")
    ap.add_argument("--head", default="heatmap", help="heatmap, regression or integral")
    ap.add_argument("--sigma", type=float, default=0.0,
                    help="Gaussian target sigma in heatmap cells (0: torchvision's one-hot)")
    ap.add_argument("--heatmap-size", type=int, default=56, help="28 or 56")
    ap.add_argument("--head-channels", default="64,64,64,64",
                    help="channels of the keypoint head's 3x3 convs")
    ap.add_argument("--keypoint-weight", type=float, default=1.0,
                    help="factor on the keypoint loss (the regression head's L1 on coordinates "
                    "normalised to the box is small beside the box losses)")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--save-every", type=float, default=5, help="minutes")
    ap.add_argument("--resume", help="checkpoint to continue from (weights, optimizer, schedule)")
    ap.add_argument("--init", help="checkpoint whose weights start a new run")
    ap.add_argument("--init-onnx", help="an exported street graph (models/*/model.onnx) whose "
                    "backbone, FPN, RPN and box head start a new run (onnx_init.py)")
    ap.add_argument("--keep-head-convs", action="store_true",
                    help="with --heads-only: start the keypoint head's convolutions from --init "
                    "(only the predictor is fresh)")
    ap.add_argument("--heads-only", action="store_true",
                    help="train the keypoint head alone on --init's frozen trunk")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=50)
    args = ap.parse_args(argv)
    check_choice("keypoint_train.py", "--head", args.head, HEADS)
    check_choice("keypoint_train.py", "--heatmap-size", args.heatmap_size, (28, 56))
    if args.sigma < 0:
        sys.exit(f"keypoint_train.py: --sigma: expected 0 (one-hot) or more, found {args.sigma}")
    if args.keypoint_weight <= 0:
        sys.exit(f"keypoint_train.py: --keypoint-weight: expected a positive factor, found "
                 f"{args.keypoint_weight}")
    if args.head != "heatmap" and args.sigma:
        sys.exit(f"keypoint_train.py: --sigma: expected none with --head {args.head}, found "
                 f"{args.sigma}")
    try:
        channels = [int(c) for c in args.head_channels.split(",")]
        assert channels and all(c > 0 for c in channels)
    except (ValueError, AssertionError):
        sys.exit(f"keypoint_train.py: --head-channels: expected positive integers separated by "
                 f"commas, found {args.head_channels!r}")
    if args.heads_only and not (args.init or args.resume):
        sys.exit("keypoint_train.py: --heads-only: expected --init (the shared checkpoint whose "
                 "trunk stays frozen), found none")
    output_folder(os.path.dirname(os.path.abspath(args.out)), "keypoint_train.py")
    require_torch("keypoint_train.py")
    from keypoint_trainer import run  # imports torch

    run(args)


if __name__ == "__main__":
    main()
