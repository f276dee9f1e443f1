#!/usr/bin/env bash
# Regenerates everything under models/ from scratch (about 75 minutes on 2 CPU cores):
# training set, training, the three exports, the demo video and its ground truth, and
# the parity fixture of tests/inference/model_parity.test.ts. Deterministic data; training
# itself is time-boxed, so weights differ slightly from run to run.
#
#   bash models/training/make_models.sh [minutes]
set -euo pipefail
cd "$(dirname "$0")"
MINUTES="${1:-65}"
bash install_deps.sh
PY=/usr/bin/python3
# The training set (about 7 GB of .npy under data/, git-ignored), two processes.
$PY make_training_set.py data/train --frames 8000 --shard 0/2 &
sleep 3
$PY make_training_set.py data/train --frames 8000 --shard 1/2
wait
$PY train.py --data data/train --out runs/street/checkpoint.pt --minutes "$MINUTES" --crop none
# export.py gives the graphs a uint8 NHWC / HWC input by default (uint8_input.py).
$PY export.py --checkpoint runs/street/checkpoint.pt --out ../street-maskrcnn
$PY export.py --checkpoint runs/street/checkpoint.pt --out ../street-fasterrcnn --arch fasterrcnn
$PY export.py --checkpoint runs/street/checkpoint.pt --out ../street-maskrcnn-standard --standard
$PY make_demo.py --out ../demo
$PY ../../tests/fixtures/models/make_model_fixtures.py --checkpoint runs/street/checkpoint.pt
