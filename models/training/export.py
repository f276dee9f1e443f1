"""Exports a trained street checkpoint to `models/<name>/` (model.onnx + manifest.json).

Usage:
    python3 export.py --checkpoint runs/street/checkpoint.pt --out ../street-maskrcnn
    python3 export.py --checkpoint ... --out ../street-fasterrcnn --arch fasterrcnn
    python3 export.py --checkpoint ... --out /tmp/street-standard --standard

The raw form (default) takes a dynamic batch of normalised [N, 3, H, W] images and stops
before the final NMS (see raw_export.py). Before writing, it is checked against
torchvision's own inference (class NMS disabled) on held-out generated frames. The
`--standard` form is torchvision's own export (batch 1, NMS and mask pasting inside), for
comparison. `--arch fasterrcnn` exports the same network without its mask and semantic
heads.

By default the graph then gets a uint8 input (NHWC, or HWC for `--standard`: the frames as
ffmpeg writes them, rgb24) with the normalisation as its first nodes (uint8_input.py);
`--float-input` keeps the float NCHW / CHW input.
"""

from __future__ import annotations

import argparse
import sys

from cli import ARCHITECTURES, check_choice, output_folder, require_onnx, require_torch


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a street checkpoint to ONNX")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="model folder, e.g. ../street-maskrcnn")
    ap.add_argument("--arch", default="maskrcnn", help=f"one of {', '.join(ARCHITECTURES)}")
    ap.add_argument("--standard", action="store_true", help="torchvision's own export")
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--float-input", dest="uint8_input", action="store_false",
                    help="keep the normalised float NCHW / CHW input (default: uint8 NHWC / "
                         "HWC, normalisation inside the graph; see uint8_input.py)")
    ap.add_argument("--verify-frames", type=int, default=4)
    args = ap.parse_args(argv)
    check_choice("export.py", "--arch", args.arch, ARCHITECTURES)
    if args.opset < 11:
        sys.exit(f"export.py: --opset: expected 11 or more, found {args.opset}")
    folder = output_folder(args.out, "export.py")
    require_torch("export.py")
    require_onnx("export.py")
    from street_export import export_street  # imports torch

    export_street(args, folder)


if __name__ == "__main__":
    main()
