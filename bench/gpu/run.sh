#!/usr/bin/env bash
# Runs on a GPU machine (see README.md): exports torchvision's maskrcnn_resnet50_fpn with
# random weights at 800x1344 (score threshold 0: full work for the heads), then times it
# through the engine on webgpu and on cpu. Needs python3 with torch + torchvision + onnx,
# and a Deno binary (DENO, default ./deno) with node_modules carried along.
set -euo pipefail
cd "$(dirname "$0")/../.."
DENO="${DENO:-./deno}"
OUT="${OUT:-/tmp/streamdet-gpu}"
mkdir -p "$OUT"
python3 models/export_torchvision.py --arch maskrcnn_resnet50_fpn --weights none \
  --score-thresh 0 --size 800x1344 --out "$OUT/mrcnn" --verify 1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
"$DENO" run -A bench/gpu/engine_gpu.ts "$OUT/mrcnn/manifest.json" webgpu,cpu 10
"$DENO" run -A bench/gpu/engine_gpu.ts "$OUT/mrcnn/manifest.json" cpu 3
