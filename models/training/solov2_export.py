"""Exports a trained SOLOv2 checkpoint (solov2_train.py) to `models/<name>/` (model.onnx +
manifest.json), with the dynamic convolution inside the graph.

Usage:
    python3 solov2_export.py --checkpoint runs/solov2/checkpoint.pt --out ../street-solov2 \\
        [--fixture ../../tests/fixtures/models/solov2_parity.json]

The graph (solov2_raw.py) takes a dynamic batch and stops before SOLO's post-processing:
category_scores [N, G, C] (sigmoid and points_nms applied), and the soft masks [K, 72, 128]
of the cells whose best category score is above `--score-threshold` (at most `--nms-pre`
per image, the best), with mask_cells and batch_index [K]. The manifest's kind is "solov2"
(not in src/wire/manifest.ts's schema yet); its `solov2` block has the grids, strides and
SOLO's test_cfg (nms_pre = `--nms-pre`). By default the graph then gets a uint8 NHWC input
with the normalisation as its first nodes (uint8_input.py); `--float-input` keeps the float
NCHW input. Then the graph is run in onnxruntime-node (ort_run.ts, through Deno) on
`--verify-frames` held-out street frames and compared with the eager PyTorch module (max
|diff| printed; `--no-onnx-check` skips it). `--fixture` also writes the parity fixture
(solov2_fixture.py): two frames, the graph's outputs and SOLO's post-processing of them.
"""

from __future__ import annotations

import argparse
import sys

from cli import output_folder, require_onnx, require_torch

SCRIPT = "solov2_export.py"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a SOLOv2 checkpoint to ONNX")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="model folder, e.g. ../street-solov2")
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--float-input", dest="uint8_input", action="store_false",
                    help="keep the normalised float NCHW input (default: uint8 NHWC)")
    ap.add_argument("--score-threshold", type=float, default=0.1,
                    help="cells whose best category score is above this get masks (SOLO's "
                         "score_thr)")
    ap.add_argument("--nms-pre", type=int, default=100,
                    help="at most this many masked cells per image (and SOLO's nms_pre)")
    ap.add_argument("--verify-frames", type=int, default=3)
    ap.add_argument("--no-onnx-check", dest="onnx_check", action="store_false",
                    help="skip running the graph in onnxruntime-node")
    ap.add_argument("--fixture", help="write the parity fixture (JSON) here")
    args = ap.parse_args(argv)
    if args.opset < 11:
        sys.exit(f"{SCRIPT}: --opset: expected 11 or more, found {args.opset}")
    if not 0 <= args.score_threshold < 1:
        sys.exit(f"{SCRIPT}: --score-threshold: expected a number in [0, 1), found "
                 f"{args.score_threshold}")
    if args.nms_pre < 1:
        sys.exit(f"{SCRIPT}: --nms-pre: expected 1 or more, found {args.nms_pre}")
    if args.verify_frames < 0:
        sys.exit(f"{SCRIPT}: --verify-frames: expected 0 or more, found {args.verify_frames}")
    folder = output_folder(args.out, SCRIPT)
    require_torch(SCRIPT)
    require_onnx(SCRIPT)
    from solov2_exporter import export_folder  # imports torch

    export_folder(args, folder)


if __name__ == "__main__":
    main()
