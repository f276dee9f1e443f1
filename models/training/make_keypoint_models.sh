#!/usr/bin/env bash
# Regenerates the plaza keypoint models and demo from scratch, as make_models.sh does for the
# street ones: the plaza demo video and its ground truth, the pose training set, the shared
# KeypointRCNN of the study (trunk started from the street Mask R-CNN's graph, then everything
# trained, torchvision's one-hot loss at 56x56), the study's variants (a new keypoint predictor
# on the shared model's frozen trunk and keypoint convolutions, trained with them) and their
# exports, then the shipped model: the study's winner, a direct regression head, trained with
# the whole network from the shared model's weights, then trained on with a second training set
# that leans on rarer poses and crowds, then with a third that leans on people near the camera,
# its raw export and ONNX parity fixture.
# Deterministic data; training is time-boxed, so weights differ slightly from run to run.
# About MINUTES + 8 x (VARIANT_MINUTES + 0.5) + CONTINUED_MINUTES + MIX_MINUTES + NEAR_MINUTES
# + 20 minutes on
# 2 CPU cores.
# A checkpoint already under RUNS is resumed (one whose time is spent is kept as it is):
# delete RUNS to train from scratch.
#
#   bash models/training/make_keypoint_models.sh [minutes=60] [variant-minutes=15] \
#     [frames=6000] [shipped-minutes=100] [continued-minutes=190] [mix-minutes=75] \
#     [near-minutes=55]
#
# continued-minutes: the shipped run is then resumed with this longer budget (its cosine
# schedule stretched: the learning rate restarts at lr x (1 + cos(pi x shipped/continued)) / 2
# and falls to 0 again); "none", or a budget not above shipped-minutes, skips it.
# mix-minutes: then every weight of that model (through its export) trains on for this long, at
# learning rate 0.005, on the training set and a second one of MIX_FRAMES frames whose people
# are 50% walking, 20% standing, 18% waving, 12% reaching, 10-30 a plaza (seeds 300000 and up);
# "none" skips it.
# near-minutes: then every weight of that model (through its export) trains on for this long, at
# learning rate 0.004, on the first two sets and a third one of NEAR_FRAMES frames whose people
# are 35% near the camera (large, often cut by the frame's edge and overlapping), 40% walking,
# 30% standing, 20% waving, 10% reaching, 8-20 a plaza (seeds 400000 and up); "none" skips it
# (the default when mix-minutes is none).
#
# Environment (defaults in brackets; relative to models/training/):
#   PY        the Python command [/usr/bin/python3], e.g. "nice -n 19 /usr/bin/python3"
#   DATA      training set folder [data/pose] (git-ignored, ~0.45 MB a frame)
#   MIX_DATA  the second training set's folder [data/pose-mix]; MIX_FRAMES its frames [3000]
#   NEAR_DATA the third training set's folder [data/pose-near]; NEAR_FRAMES its frames [3000]
#   RUNS      checkpoints and the exports of the shared model and variants [runs/pose]
#             (git-ignored)
#   MODEL     the shipped model's folder [../plaza-keypointrcnn]
#   FIXTURE   its ONNX parity fixture [../../tests/fixtures/models/keypoint_parity.json]
#   DEMO      where plaza.mp4 and plaza_keypoints.json go [../demo]; "none" skips them
#   VARIANTS  which variants to train ["gauss1-28 gauss2-28 gauss3-28 gauss1-56 gauss2-56
#             gauss3-56 onehot-56 regression"]; "" skips them
#
# Afterwards, on a quiet machine: `deno task keypoint-study` scores every export on the plaza
# demo (docs/keypoints-study/results.json, table.md, charts) and
# `python3 keypoint_pictures.py --out ../../docs/keypoints-study --checkpoint ...` draws the
# learned heatmaps and the failure cases (docs/keypoints-study.md says the exact commands).
set -euo pipefail
cd "$(dirname "$0")"
MINUTES="${1:-60}"
VARIANT_MINUTES="${2:-15}"
FRAMES="${3:-6000}"
SHIPPED_MINUTES="${4:-100}"
CONTINUED_MINUTES="${5:-190}"
MIX_MINUTES="${6:-75}"
NEAR_DEFAULT=55
if [ "$MIX_MINUTES" = none ]; then NEAR_DEFAULT=none; fi
NEAR_MINUTES="${7:-$NEAR_DEFAULT}"
MIX_DATA="${MIX_DATA:-data/pose-mix}"
MIX_FRAMES="${MIX_FRAMES:-3000}"
NEAR_DATA="${NEAR_DATA:-data/pose-near}"
NEAR_FRAMES="${NEAR_FRAMES:-3000}"
PY="${PY:-/usr/bin/python3}"
DATA="${DATA:-data/pose}"
RUNS="${RUNS:-runs/pose}"
MODEL="${MODEL:-../plaza-keypointrcnn}"
FIXTURE="${FIXTURE:-../../tests/fixtures/models/keypoint_parity.json}"
DEMO="${DEMO:-../demo}"
VARIANTS="${VARIANTS-gauss1-28 gauss2-28 gauss3-28 gauss1-56 gauss2-56 gauss3-56 onehot-56 regression}"
if [ "$CONTINUED_MINUTES" != none ] && ! awk -v c="$CONTINUED_MINUTES" 'BEGIN { exit !(c ~ /^[0-9]+([.][0-9]+)?$/ && c > 0) }'; then
  echo "make_keypoint_models.sh: continued-minutes (5th argument): expected minutes or none, found $CONTINUED_MINUTES" >&2
  exit 2
fi
if [ "$MIX_MINUTES" != none ] && ! awk -v c="$MIX_MINUTES" 'BEGIN { exit !(c ~ /^[0-9]+([.][0-9]+)?$/ && c > 0) }'; then
  echo "make_keypoint_models.sh: mix-minutes (6th argument): expected minutes or none, found $MIX_MINUTES" >&2
  exit 2
fi
if [ "$NEAR_MINUTES" != none ] && ! awk -v c="$NEAR_MINUTES" 'BEGIN { exit !(c ~ /^[0-9]+([.][0-9]+)?$/ && c > 0) }'; then
  echo "make_keypoint_models.sh: near-minutes (7th argument): expected minutes or none, found $NEAR_MINUTES" >&2
  exit 2
fi
if [ "$NEAR_MINUTES" != none ] && [ "$MIX_MINUTES" = none ]; then
  echo "make_keypoint_models.sh: near-minutes (7th argument): expected none when mix-minutes is none (the third set trains beside the second), found $NEAR_MINUTES" >&2
  exit 2
fi
bash install_deps.sh

if [ "$DEMO" != none ]; then
  $PY make_plaza_demo.py --out "$DEMO"
fi

# The training set, two processes (shards of the same .npy files).
$PY make_pose_training_set.py "$DATA" --frames "$FRAMES" --shard 0/2 &
sleep 3
$PY make_pose_training_set.py "$DATA" --frames "$FRAMES" --shard 1/2
wait

# The shared model; --resume continues it if this script was interrupted.
RESUME=()
if [ -f "$RUNS/checkpoint.pt" ]; then RESUME=(--resume "$RUNS/checkpoint.pt"); fi
$PY keypoint_train.py --data "$DATA" --out "$RUNS/checkpoint.pt" --minutes "$MINUTES" \
  --init-onnx ../street-maskrcnn/model.onnx "${RESUME[@]}"
SHARED="$RUNS/export/plaza-keypointrcnn-shared"
$PY keypoint_export.py --checkpoint "$RUNS/checkpoint.pt" --out "$SHARED"

# The study's variants: same trunk and keypoint convolutions, same schedule, a new predictor each.
for variant in $VARIANTS; do
  case "$variant" in
    regression) flags=(--head regression) ;;
    onehot-*) flags=(--head heatmap --sigma 0 --heatmap-size "${variant#onehot-}") ;;
    gauss*-*) sigma="${variant#gauss}"; flags=(--head heatmap --sigma "${sigma%-*}" --heatmap-size "${variant#*-}") ;;
    *) echo "make_keypoint_models.sh: VARIANTS: expected onehot-S, gaussN-S or regression, found $variant" >&2; exit 2 ;;
  esac
  out="$RUNS/variant-$variant.pt"
  RESUME=()
  if [ -f "$out" ]; then RESUME=(--resume "$out"); fi
  $PY keypoint_train.py --data "$DATA" --out "$out" --minutes "$VARIANT_MINUTES" \
    --init "$RUNS/checkpoint.pt" --heads-only --keep-head-convs --warmup 50 "${flags[@]}" \
    "${RESUME[@]}"
  $PY keypoint_export.py --checkpoint "$out" --out "$RUNS/export/plaza-keypointrcnn-$variant"
done

# The shipped model: the regression head (the study's winner) with the whole network trained on
# from the shared model's weights (its keypoint convolutions included; the predictor is new).
RESUME=()
if [ -f "$RUNS/shipped.pt" ]; then RESUME=(--resume "$RUNS/shipped.pt"); fi
# Its flags, again on the continuation: a resumed run takes them from the command line.
SHIPPED_FLAGS=(--head regression --lr 0.01 --warmup 200 --keypoint-weight 3)
$PY keypoint_train.py --data "$DATA" --out "$RUNS/shipped.pt" --minutes "$SHIPPED_MINUTES" \
  --init-onnx "$SHARED/model.onnx" "${SHIPPED_FLAGS[@]}" "${RESUME[@]}"
SHIPPED="$RUNS/shipped.pt"
if [ "$CONTINUED_MINUTES" != none ] && awk -v c="$CONTINUED_MINUTES" -v s="$SHIPPED_MINUTES" 'BEGIN { exit !(c > s) }'; then
  # Resumed from the shipped run's end (or from its own checkpoint if this was interrupted).
  FROM="$SHIPPED"
  if [ -f "$RUNS/shipped-continued.pt" ]; then FROM="$RUNS/shipped-continued.pt"; fi
  $PY keypoint_train.py --data "$DATA" --out "$RUNS/shipped-continued.pt" --resume "$FROM" \
    --minutes "$CONTINUED_MINUTES" "${SHIPPED_FLAGS[@]}"
  SHIPPED="$RUNS/shipped-continued.pt"
fi
if [ "$MIX_MINUTES" != none ]; then
  MIX_ARGS=(--frames "$MIX_FRAMES" --seed-base 300000 --pose-mix 0.5,0.2,0.18,0.12 --people 10-30)
  $PY make_pose_training_set.py "$MIX_DATA" "${MIX_ARGS[@]}" --shard 0/2 &
  sleep 3
  $PY make_pose_training_set.py "$MIX_DATA" "${MIX_ARGS[@]}" --shard 1/2
  wait
  # Every weight of the model so far, through its raw export (--init-onnx keeps the street
  # BatchNorm folded and frozen as before); resumed if this was interrupted.
  if [ -f "$RUNS/shipped-mix.pt" ]; then
    START=(--resume "$RUNS/shipped-mix.pt")
  else
    $PY keypoint_export.py --checkpoint "$SHIPPED" --out "$RUNS/export/before-mix"
    START=(--init-onnx "$RUNS/export/before-mix/model.onnx")
  fi
  $PY keypoint_train.py --data "$DATA,$MIX_DATA" --out "$RUNS/shipped-mix.pt" \
    --minutes "$MIX_MINUTES" --head regression --lr 0.005 --warmup 100 --keypoint-weight 3 \
    "${START[@]}"
  SHIPPED="$RUNS/shipped-mix.pt"
fi
if [ "$NEAR_MINUTES" != none ]; then
  NEAR_ARGS=(--frames "$NEAR_FRAMES" --seed-base 400000 --pose-mix 0.4,0.3,0.2,0.1 --people 8-20
    --near 0.35)
  $PY make_pose_training_set.py "$NEAR_DATA" "${NEAR_ARGS[@]}" --shard 0/2 &
  sleep 3
  $PY make_pose_training_set.py "$NEAR_DATA" "${NEAR_ARGS[@]}" --shard 1/2
  wait
  if [ -f "$RUNS/shipped-near.pt" ]; then
    START=(--resume "$RUNS/shipped-near.pt")
  else
    $PY keypoint_export.py --checkpoint "$SHIPPED" --out "$RUNS/export/before-near"
    START=(--init-onnx "$RUNS/export/before-near/model.onnx")
  fi
  $PY keypoint_train.py --data "$DATA,$MIX_DATA,$NEAR_DATA" --out "$RUNS/shipped-near.pt" \
    --minutes "$NEAR_MINUTES" --head regression --lr 0.004 --warmup 100 --keypoint-weight 3 \
    "${START[@]}"
  SHIPPED="$RUNS/shipped-near.pt"
fi
$PY keypoint_export.py --checkpoint "$SHIPPED" --out "$MODEL" --fixture "$FIXTURE"
