"""The single-stage street detectors: torchvision 0.14's FCOS and RetinaNet on the same small
backbone + FPN as the street Mask R-CNN (model.small_backbone()), sized for a 288x512 input
and the street's objects, trained on boxes and labels only.

Example:
    model = build_retinanet((288, 512), anchor_scale=0.5)
    losses = model([torch.rand(3, 288, 512)], [{"boxes": boxes, "labels": labels}])
    model.eval()
    detections = model([torch.rand(3, 288, 512)])   # torchvision's own decoding and NMS

Design (docs for the later training and the TypeScript decoders):

- Levels: the backbone's own five FPN outputs, strides 4, 8, 16, 32, 64 (P2-P6, the last
  a max-pool of P5), 72x128 down to 5x8 cells on 288x512; not torchvision's usual P3-P7
  (strides 8-128). The street's objects (179 in 24 training frames, at 288x512) are 9 to
  ~110 px as the square root of the area, median 31, the longest side up to ~175 px: a
  5-px-wide person needs the stride-4 level, and a stride-128 level (3x4 cells) would only
  hold anchors bigger than the frame's height. Same module as the Mask R-CNN, so the comparison is head against head.
  torchvision's anchor stride is the padded size over the feature size, per axis: the last
  level's is 57 x 64 (288 // 5, 512 // 8), not 64 x 64; the manifest records it.
- RetinaNet anchors: 4x the stride (16, 32, 64, 128, 256 px, torchvision's rule, 32 at
  stride 8, and the street RPN's sizes), times `anchor_scale`, with torchvision's three
  octave scales (x, int(x 2^1/3), int(x 2^2/3)), and the street RPN's aspect ratios
  (height / width) 0.5, 1, 2, 3: people are ~3.4 times as tall as wide, signs ~2.6, cars
  ~0.45. 12 anchors per location.
- FCOS "anchors" (one square point per location, the size that normalises the regression
  and sets the level's object range, (4 s, 8 s] of the longest side distance): the
  strides, torchvision's rule, times `anchor_scale`. At 1.0: objects to ~64 px on P2,
  64-128 on P3, 128-256 on P4.
- Heads: torchvision's, with GroupNorm(16) (4 channels per group over the 64 FPN
  channels, FCOS's default GroupNorm(32) would leave 2) and `head_convs` (default 2)
  convolutions per tower instead of 4: the heads run on the stride-4 level. One training
  step (batch 2, one thread) took 0.52 s (FCOS) and 0.59 s (RetinaNet) with 2, 0.78 s and
  0.93 s with 4, against 0.45 s for the street Mask R-CNN.
- Test-time settings: torchvision's thresholds (FCOS score 0.2, NMS 0.6; RetinaNet 0.05,
  0.5), top 1000 candidates per level, 100 detections per image (the street frames have
  far fewer objects than COCO's 300 for RetinaNet). min_size / max_size are the input
  size, so torchvision does not resize a 288x512 frame; mean and std are model.py's.
"""

from __future__ import annotations

import math
from functools import partial

from torch import nn
from torchvision.models.detection import FCOS, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.fcos import (FCOSClassificationHead, FCOSHead,
                                               FCOSRegressionHead)
from torchvision.models.detection.retinanet import RetinaNetHead

from cli import SINGLE_STAGE
from model import FPN_CHANNELS, MEAN, STD, small_backbone

STRIDES = (4, 8, 16, 32, 64)
RETINANET_RATIOS = (0.5, 1.0, 2.0, 3.0)
NORM_GROUPS = 16
HEAD_CONVS = 2


def check_scale(anchor_scale: float, where: str) -> float:
    """`anchor_scale` as a float, or ValueError unless it is finite and positive."""
    scale = float(anchor_scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"{where}: anchor_scale: expected a positive number, found "
                         f"{anchor_scale!r}")
    return scale


def retinanet_anchor_sizes(anchor_scale: float = 1.0) -> tuple:
    """Per level, torchvision's three octave sizes of 4 x stride x `anchor_scale`.

    Example:
        retinanet_anchor_sizes(1.0)[0]  # (16, 20, 25)
    """
    scale = check_scale(anchor_scale, "retinanet_anchor_sizes()")
    out = []
    for stride in STRIDES:
        x = max(1, round(4 * stride * scale))
        out.append((x, int(x * 2 ** (1.0 / 3)), int(x * 2 ** (2.0 / 3))))
    return tuple(out)


def fcos_anchor_sizes(anchor_scale: float = 1.0) -> tuple:
    """Per level, one size: the stride times `anchor_scale` (at least 1).

    Example:
        fcos_anchor_sizes(2.0)  # ((8,), (16,), (32,), (64,), (128,))
    """
    scale = check_scale(anchor_scale, "fcos_anchor_sizes()")
    return tuple((max(1, round(stride * scale)),) for stride in STRIDES)


def common(size: tuple) -> dict:
    height, width = size
    return dict(min_size=min(height, width), max_size=max(height, width), image_mean=MEAN,
                image_std=STD)


def build_fcos(size: tuple, num_classes: int = 5, anchor_scale: float = 1.0,
               head_convs: int = HEAD_CONVS, score_thresh: float = 0.2,
               nms_thresh: float = 0.6, detections: int = 100, topk: int = 1000) -> FCOS:
    """torchvision's FCOS on model.small_backbone() (see the module's docstring).
    `num_classes` counts the background (index 0, never predicted), as the R-CNNs."""
    anchors = AnchorGenerator(fcos_anchor_sizes(anchor_scale), ((1.0,),) * len(STRIDES))
    norm = partial(nn.GroupNorm, NORM_GROUPS)
    head = FCOSHead(FPN_CHANNELS, 1, num_classes, head_convs)
    head.classification_head = FCOSClassificationHead(FPN_CHANNELS, 1, num_classes, head_convs,
                                                      norm_layer=norm)
    head.regression_head = FCOSRegressionHead(FPN_CHANNELS, 1, head_convs, norm_layer=norm)
    return FCOS(small_backbone(), num_classes, anchor_generator=anchors, head=head,
                score_thresh=score_thresh, nms_thresh=nms_thresh, detections_per_img=detections,
                topk_candidates=topk, **common(size))


def build_retinanet(size: tuple, num_classes: int = 5, anchor_scale: float = 1.0,
                    head_convs: int = HEAD_CONVS, score_thresh: float = 0.05,
                    nms_thresh: float = 0.5, detections: int = 100,
                    topk: int = 1000) -> RetinaNet:
    """torchvision's RetinaNet on model.small_backbone() (see the module's docstring), with
    GroupNorm in the heads as torchvision's RetinaNet v2 and its L1 box loss (v1's)."""
    if not 1 <= head_convs <= 4:
        raise ValueError(f"build_retinanet(): head_convs: expected 1 to 4 (torchvision's "
                         f"towers have 4), found {head_convs!r}")
    ratios = (RETINANET_RATIOS,) * len(STRIDES)
    anchors = AnchorGenerator(retinanet_anchor_sizes(anchor_scale), ratios)
    count = anchors.num_anchors_per_location()[0]
    norm = partial(nn.GroupNorm, NORM_GROUPS)
    head = RetinaNetHead(FPN_CHANNELS, count, num_classes, norm_layer=norm)
    for tower in (head.classification_head, head.regression_head):
        tower.conv = nn.Sequential(*list(tower.conv.children())[:head_convs])
    return RetinaNet(small_backbone(), num_classes, anchor_generator=anchors, head=head,
                     score_thresh=score_thresh, nms_thresh=nms_thresh,
                     detections_per_img=detections, topk_candidates=topk, **common(size))


def build_single_stage(arch: str, size: tuple, num_classes: int = 5, **config) -> nn.Module:
    """`build_fcos` or `build_retinanet` by name; `config` as a checkpoint's `config`."""
    if arch not in SINGLE_STAGE:
        raise ValueError(f"build_single_stage(): arch: expected one of "
                         f"{', '.join(SINGLE_STAGE)}, found {arch!r}")
    builder = build_fcos if arch == "fcos" else build_retinanet
    return builder(size, num_classes, **config)


def training_config(anchor_scale: float = 1.0) -> dict:
    """The build options a checkpoint records (`config`), so an export rebuilds the same net.

    Example:
        build_single_stage("fcos", (288, 512), **training_config(2.0))
    """
    return {"anchor_scale": check_scale(anchor_scale, "training_config()"),
            "head_convs": HEAD_CONVS}


def single_stage_losses(model: nn.Module, images: list, targets: list) -> dict:
    """The training losses of FCOS / RetinaNet on boxes and labels (masks in `targets` are
    left out), named `loss_<torchvision's name>` as the R-CNN losses are."""
    boxes_labels = [{"boxes": t["boxes"], "labels": t["labels"]} for t in targets]
    return {f"loss_{k}": v for k, v in model(images, boxes_labels).items()}


__all__ = ["build_fcos", "build_retinanet", "build_single_stage", "retinanet_anchor_sizes",
           "fcos_anchor_sizes", "training_config", "single_stage_losses", "SINGLE_STAGE",
           "STRIDES", "RETINANET_RATIOS"]
