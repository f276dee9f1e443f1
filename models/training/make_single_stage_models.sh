#!/usr/bin/env bash
# Trains and exports the models of issue 18 on the street world, as make_models.sh does for
# the Mask R-CNN: FCOS, RetinaNet at three anchor scales (the multi-scale study; scale 1 is
# the shipped one) and SOLOv2, each starting its backbone + FPN from the street Mask R-CNN's
# graph (--init-onnx), on the same pre-rendered training set. Time-boxed; resumable: a
# checkpoint already under RUNS is continued (delete RUNS to start over).
#
#   bash models/training/make_single_stage_models.sh [minutes=30] [frames=8000]
#
# Every model trains for MINUTES (the same schedule, so the study compares like with like):
# about 5 x MINUTES + 10 minutes on 2 CPU cores.
# The shipped models train first (FCOS, RetinaNet at scale 1, SOLOv2), the study's other two
# anchor scales last, so a run cut short still leaves the shipped models.
# Environment: PY [/usr/bin/python3] (e.g. "nice -n 19 /usr/bin/python3"), WARMUP [300]
# (warm-up steps; fewer for short budgets), DATA [data/train],
# RUNS [runs/single], MODELS [..] (where street-fcos/, street-retinanet/, street-solov2/ go),
# FIXTURES [../../tests/fixtures/models].
set -euo pipefail
cd "$(dirname "$0")"
MINUTES="${1:-30}"
FRAMES="${2:-8000}"
PY="${PY:-/usr/bin/python3}"
DATA="${DATA:-data/train}"
RUNS="${RUNS:-runs/single}"
MODELS="${MODELS:-..}"
FIXTURES="${FIXTURES:-../../tests/fixtures/models}"
WARMUP="${WARMUP:-300}"
TRUNK=../street-maskrcnn/model.onnx
bash install_deps.sh

if [ ! -f "$DATA/images.npy" ]; then
  $PY make_training_set.py "$DATA" --frames "$FRAMES" --shard 0/2 &
  sleep 3
  $PY make_training_set.py "$DATA" --frames "$FRAMES" --shard 1/2
  wait
fi

resume() { if [ -f "$1" ]; then echo --resume "$1"; else echo --init-onnx "$TRUNK"; fi; }

# FCOS, shipped.
out="$RUNS/fcos/checkpoint.pt"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
$PY train.py --arch fcos --data "$DATA" --out "$out" --minutes "$MINUTES" --warmup "$WARMUP" \
  $(resume "$out")
$PY single_stage_export.py --checkpoint "$out" --out "$MODELS/street-fcos" \
  --fixture "$FIXTURES/fcos_parity.json"

# RetinaNet at anchor scale 1, shipped.
out="$RUNS/retinanet-1/checkpoint.pt"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
$PY train.py --arch retinanet --anchor-scale 1 --data "$DATA" --out "$out" \
  --minutes "$MINUTES" --warmup "$WARMUP" $(resume "$out")
$PY single_stage_export.py --checkpoint "$out" --out "$MODELS/street-retinanet" \
  --fixture "$FIXTURES/retinanet_parity.json"

# SOLOv2, shipped.
out="$RUNS/solov2/checkpoint.pt"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
$PY solov2_train.py --data "$DATA" --out "$out" --minutes "$MINUTES" \
  --warmup "$WARMUP" $(resume "$out")
$PY solov2_export.py --checkpoint "$out" --out "$MODELS/street-solov2" \
  --fixture "$FIXTURES/solov2_parity.json"

# The multi-scale study's other anchor scales (exports under RUNS, not shipped).
for scale in 0.5 2; do
  out="$RUNS/retinanet-$scale/checkpoint.pt"
  mkdir -p "$(dirname "$out")"
  # shellcheck disable=SC2046
  $PY train.py --arch retinanet --anchor-scale "$scale" --data "$DATA" --out "$out" \
    --minutes "$MINUTES" --warmup "$WARMUP" $(resume "$out")
  $PY single_stage_export.py --checkpoint "$out" --out "$RUNS/export/street-retinanet-$scale"
done
