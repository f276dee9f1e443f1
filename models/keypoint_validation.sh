#!/usr/bin/env bash
# Scores a keypoint model on validation plazas that are neither the training set (seeds 200000
# and up) nor the held-out demo (seed 39), at several final-NMS IoUs: the plazas where settings
# of the plaza Keypoint R-CNN (its manifest's NMS) are chosen, so that the demo stays held out.
#
#   bash models/keypoint_validation.sh [model folder] [IoUs...]
#   bash models/keypoint_validation.sh models/plaza-keypointrcnn 0.5 0.6
#
# Renders models/training/runs/val/s<seed>/ (150 frames each, seeds 41-43; once, then reused)
# with make_plaza_demo.py and prints box AP, keypoint AP and PCK@0.1 per plaza and IoU
# (deno task quality --video --gt --iou --json). Needs Debian's python3 with numpy and Pillow, ffmpeg
# and Deno on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-models/plaza-keypointrcnn}"
shift || true
IOUS=("$@")
if [ ${#IOUS[@]} -eq 0 ]; then IOUS=(0.5 0.6); fi
if [ ! -f "$MODEL/manifest.json" ]; then
  echo "keypoint_validation.sh: model folder: expected $MODEL/manifest.json, found none" >&2
  exit 2
fi
for iou in "${IOUS[@]}"; do
  if ! awk -v v="$iou" 'BEGIN { exit !(v ~ /^[0-9.]+$/ && v >= 0 && v <= 1) }'; then
    echo "keypoint_validation.sh: IoU: expected a number in [0, 1], found $iou" >&2
    exit 2
  fi
done
PY="${PYTHON:-/usr/bin/python3}"
VAL=models/training/runs/val
for seed in 41 42 43; do
  if [ ! -f "$VAL/s$seed/plaza_keypoints.json" ]; then
    (cd models/training && "$PY" make_plaza_demo.py --out "runs/val/s$seed" --frames 150 \
      --seed "$seed")
  fi
done
echo "| plaza | IoU | box AP | keypoint AP | PCK@0.1 |"
echo "|---|---|---|---|---|"
for seed in 41 42 43; do
  for iou in "${IOUS[@]}"; do
    json="$VAL/s$seed/quality-$iou.json"
    if ! out=$(deno task quality --model "$MODEL" --video "$VAL/s$seed/plaza.mp4" \
      --gt "$VAL/s$seed/plaza_keypoints.json" --iou "$iou" --json "$json" 2>&1); then
      echo "keypoint_validation.sh: quality failed on seed $seed, IoU $iou:" >&2
      echo "$out" >&2
      exit 1
    fi
    row=$("$PY" -c 'import json, sys
q = json.load(open(sys.argv[1]))
k = q["keypoints"]
pck = k["pck"]["pck"][k["pck"]["thresholds"].index(0.1)]
print("%.3f | %.3f | %.3f" % (q["box"][0], k["stats"][0], pck))' "$json")
    echo "| $seed | $iou | $row |"
  done
done
