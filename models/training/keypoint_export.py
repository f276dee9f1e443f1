"""Exports a trained plaza KeypointRCNN checkpoint (keypoint_train.py) to `models/<name>/`
(model.onnx + manifest.json), raw as the street graphs are.

Usage:
    python3 keypoint_export.py --checkpoint runs/pose/checkpoint.pt --out ../plaza-keypointrcnn \\
        [--fixture ../../tests/fixtures/models/keypoint_parity.json]

The raw graph takes a dynamic batch and stops before the final class NMS: candidates
(boxes, scores, labels, batch_index; near-duplicates above `--candidate-nms` IoU dropped
before the top 50 per image are kept, so that a crowd of 20 people is not cut to the copies of
its strongest 12, from `--proposals` RPN proposals) and their RoI keypoint heatmap logits
(keypoint_logits, D x 17 x 56 x 56, or 28 x 28 for that variant), or D x 17 x 2 keypoints in
input pixels for the regression head (keypoint_raw.py). Before writing, it is checked
against torchvision's own inference (class NMS disabled) on held-out plaza frames:
candidates, and the keypoints decoded from the heatmaps. By default the graph then gets a
uint8 NHWC input with the normalisation as its first nodes (uint8_input.py); `--float-input`
keeps the float NCHW input. The manifest's kind is "keypointrcnn" (not in
src/wire/manifest.ts's schema yet). `--fixture` also writes the ONNX parity fixture: the
fixture frames and the PyTorch outputs of the module that was exported (keypoint_fixture.py).
"""

from __future__ import annotations

import argparse
import sys

from cli import output_folder, require_onnx, require_torch


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a plaza KeypointRCNN checkpoint to ONNX")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="model folder, e.g. ../plaza-keypointrcnn")
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--float-input", dest="uint8_input", action="store_false",
                    help="keep the normalised float NCHW input (default: uint8 NHWC)")
    ap.add_argument("--verify-frames", type=int, default=3)
    ap.add_argument("--proposals", type=int, default=200,
                    help="RPN proposals per image kept for the box head (training used 300)")
    ap.add_argument("--candidate-nms", type=float, default=0.6,
                    help="IoU above which near-duplicate candidates are dropped before the top "
                    "50 are taken (the final NMS stays in the runtime); 1 keeps every one")
    ap.add_argument("--fixture", help="write the ONNX parity fixture (JSON) here")
    args = ap.parse_args(argv)
    if args.opset < 11:
        sys.exit(f"keypoint_export.py: --opset: expected 11 or more, found {args.opset}")
    if args.proposals < 1:
        sys.exit(f"keypoint_export.py: --proposals: expected 1 or more, found {args.proposals}")
    if not 0 < args.candidate_nms <= 1:
        sys.exit(f"keypoint_export.py: --candidate-nms: expected an IoU in (0, 1], found "
                 f"{args.candidate_nms}")
    if args.verify_frames < 0:
        sys.exit(f"keypoint_export.py: --verify-frames: expected 0 or more, found "
                 f"{args.verify_frames}")
    folder = output_folder(args.out, "keypoint_export.py")
    require_torch("keypoint_export.py")
    require_onnx("keypoint_export.py")
    from keypoint_exporter import export_keypoints  # imports torch

    export_keypoints(args, folder)


if __name__ == "__main__":
    main()
