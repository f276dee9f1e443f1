#!/usr/bin/env bash
# The second stage of the shipped single-stage models (issue 18): after
# make_single_stage_models.sh 18 4000 (the multi-scale study's models, all on one 18-minute
# schedule), FCOS, RetinaNet (anchor scale 1) and SOLOv2 train on from their checkpoints to
# longer budgets, and are exported again. The 18-minute checkpoints are first copied to
# RUNS-18min (the study's models stay reproducible).
#
#   bash models/training/continue_single_stage_models.sh [fcos=34] [retinanet=32] [solov2=80]
#
# Each argument is the model's total budget in minutes, the first 18 included: train.py
# --resume continues the cosine schedule of the budget given, so the learning rate comes back
# up to where the cosine of the longer budget is at minute 18 (0.45 of its peak for FCOS at
# 34) and then decays to 0 again. Time-boxed and resumable like the first stage.
# Environment: PY [/usr/bin/python3], WARMUP [100], DATA [data/train], RUNS [runs/single],
# MODELS [..], FIXTURES [../../tests/fixtures/models].
set -euo pipefail
cd "$(dirname "$0")"
FCOS="${1:-34}"
RETINANET="${2:-32}"
SOLOV2="${3:-80}"
PY="${PY:-/usr/bin/python3}"
DATA="${DATA:-data/train}"
RUNS="${RUNS:-runs/single}"
MODELS="${MODELS:-..}"
FIXTURES="${FIXTURES:-../../tests/fixtures/models}"
WARMUP="${WARMUP:-100}"
bash install_deps.sh

for model in fcos retinanet-1 solov2; do
  if [ ! -f "$RUNS/$model/checkpoint.pt" ]; then
    echo "no $RUNS/$model/checkpoint.pt: run make_single_stage_models.sh 18 4000 first" >&2
    exit 1
  fi
  mkdir -p "$RUNS-18min/$model"
  cp -n "$RUNS/$model/checkpoint.pt" "$RUNS-18min/$model/"
done

out="$RUNS/fcos/checkpoint.pt"
$PY train.py --arch fcos --data "$DATA" --out "$out" --minutes "$FCOS" --warmup "$WARMUP" \
  --resume "$out"
$PY single_stage_export.py --checkpoint "$out" --out "$MODELS/street-fcos" \
  --fixture "$FIXTURES/fcos_parity.json"

out="$RUNS/retinanet-1/checkpoint.pt"
$PY train.py --arch retinanet --anchor-scale 1 --data "$DATA" --out "$out" \
  --minutes "$RETINANET" --warmup "$WARMUP" --resume "$out"
$PY single_stage_export.py --checkpoint "$out" --out "$MODELS/street-retinanet" \
  --fixture "$FIXTURES/retinanet_parity.json"

out="$RUNS/solov2/checkpoint.pt"
$PY solov2_train.py --data "$DATA" --out "$out" --minutes "$SOLOV2" --warmup "$WARMUP" \
  --resume "$out"
$PY solov2_export.py --checkpoint "$out" --out "$MODELS/street-solov2" \
  --fixture "$FIXTURES/solov2_parity.json"
