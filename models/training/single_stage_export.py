"""Exports a street FCOS / RetinaNet checkpoint (train.py --arch fcos | retinanet) to
`models/<name>/` (model.onnx + manifest.json), raw: the head's outputs per FPN level, nothing
decoded, for src/geometry/fcos_decode.ts / retinanet_decode.ts.

Usage:
    python3 single_stage_export.py --checkpoint runs/fcos/checkpoint.pt --out ../street-fcos \\
        [--fixture ../../tests/fixtures/models/fcos_parity.json]

The graph takes a dynamic batch of images and returns, per level i, cls_logits_i
[N, HWA, C], bbox_regression_i [N, HWA, 4] and, for FCOS, bbox_ctrness_i [N, HW]
(single_stage_raw.py). Before writing, it is checked against torchvision's own inference on
held-out generated frames: torchvision's decoding of the raw outputs must be its eval
forward, bit for bit, and, normalised as the runtime does, agree to float rounding. By
default the graph then gets a uint8 NHWC input with the normalisation as its first nodes
(uint8_input.py); `--float-input` keeps the float NCHW input. The manifest's kind is "fcos"
or "retinanet" with a `singleStage` block (single_stage_onnx.py; not in
schemas/manifest.schema.json yet). `--fixture` also writes the ONNX parity fixture
(single_stage_fixture.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from cli import output_folder, require_onnx, require_torch

SCRIPT = "single_stage_export.py"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a street FCOS / RetinaNet checkpoint")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="model folder, e.g. ../street-fcos")
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--float-input", dest="uint8_input", action="store_false",
                    help="keep the normalised float NCHW input (default: uint8 NHWC)")
    ap.add_argument("--verify-frames", type=int, default=4)
    ap.add_argument("--fixture", help="write the ONNX parity fixture (JSON) here")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args(argv)
    if args.opset < 11:
        sys.exit(f"{SCRIPT}: --opset: expected 11 or more, found {args.opset}")
    if args.verify_frames < 0:
        sys.exit(f"{SCRIPT}: --verify-frames: expected 0 or more, found {args.verify_frames}")
    if args.threads < 1:
        sys.exit(f"{SCRIPT}: --threads: expected 1 or more, found {args.threads}")
    folder = output_folder(args.out, SCRIPT)
    if args.fixture:
        output_folder(os.path.dirname(os.path.abspath(args.fixture)), SCRIPT, "--fixture")
    require_torch(SCRIPT)
    require_onnx(SCRIPT)
    from single_stage_exporter import export_single_stage_checkpoint  # imports torch

    export_single_stage_checkpoint(args, folder)


if __name__ == "__main__":
    main()
