"""The raw KeypointRCNN graph: raw_export.RawDetector's candidates (dynamic batch, stopped
before the final class NMS) plus each candidate's keypoint head output, and its checks
against torchvision's own inference.

Outputs (D candidates over the batch, grouped by image, by decreasing score): boxes [D, 4],
scores [D], labels [D] (int64), batch_index [D] (int64), then
- heatmap heads: keypoint_logits [D, 17, S, S] (S = 56 or 28): RoI heatmap logits over the
  candidate's box, before the spatial softmax; torchvision decodes a keypoint as the argmax of
  the map resized (bicubic) to the box's ceil(w) x ceil(h), plus half a pixel;
- regression head: keypoints [D, 17, 2]: x, y in input pixels.

Example:
    raw = RawKeypointDetector(model, (288, 512))
    boxes, scores, labels, batch_index, keypoint_logits = raw(normalised_images)
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.detection.roi_heads import heatmaps_to_keypoints
from torchvision.ops.poolers import _filter_input, _setup_scales

from keypoint_losses import regression_to_image
from keypoint_model import IntegralPredictor, RegressionPredictor
from onnx_export import check_against_torchvision, normalise
from raw_export import RawDetector


class Tap(nn.Module):
    """The backbone, keeping its last output so the keypoint head reuses the features of
    RawDetector's forward instead of computing them twice."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner
        self.out_channels = inner.out_channels
        self.last = None

    def forward(self, x):
        self.last = self.inner(x)
        return self.last


def is_regression(model) -> bool:
    """Whether the model's keypoint head outputs coordinates (regression or integral)."""
    return isinstance(model.roi_heads.keypoint_predictor, (RegressionPredictor, IntegralPredictor))


class RawKeypointDetector(RawDetector):
    """RawDetector for a KeypointRCNN (eval mode) with the keypoint output appended. The
    model's backbone is wrapped in a Tap (same weights, same outputs)."""

    def __init__(self, model: nn.Module, size: tuple, candidate_nms: float | None = None):
        super().__init__(model, size, candidate_nms)
        if not isinstance(model.backbone, Tap):
            model.backbone = Tap(model.backbone)
        self.regression = is_regression(model)
        pool = model.roi_heads.keypoint_roi_pool
        with torch.no_grad():
            x = torch.zeros(1, 3, self.height, self.width)
            features = model.backbone(x)
            pool.scales, pool.map_levels = _setup_scales(
                _filter_input(features, pool.featmap_names), [(self.height, self.width)],
                pool.canonical_scale, pool.canonical_level)

    def forward(self, images: torch.Tensor):
        outputs = super().forward(images)
        boxes, image = outputs[0], outputs[3]
        heads = self.model.roi_heads
        x = self.pool(heads.keypoint_roi_pool, self.model.backbone.last, boxes, image)
        x = heads.keypoint_predictor(heads.keypoint_head(x))
        if self.regression:
            x = regression_to_image(x, boxes)
        return (*outputs, x)

    def output_names(self):
        return super().output_names() + ["keypoints" if self.regression else "keypoint_logits"]


class WithoutKeypoints:
    """Calls the model with its keypoint branch switched off (torchvision cannot decode a
    regression head), for comparing the candidates alone."""

    def __init__(self, model):
        self.model, self.roi_heads, self.transform = model, model.roi_heads, model.transform

    def __call__(self, images):
        saved = self.roi_heads.keypoint_predictor
        self.roi_heads.keypoint_predictor = None
        try:
            return self.model(images)
        finally:
            self.roi_heads.keypoint_predictor = saved


def check_keypoints(model, raw: RawKeypointDetector, pixels: torch.Tensor):
    """Checks the raw graph against torchvision's own eval forward (class NMS disabled, or at
    the raw graph's `candidate_nms`) on
    `pixels` ([N, 3, H, W] floats 0..255): the candidates (check_against_torchvision) and,
    for heatmap heads, the keypoints torchvision decodes from its heatmaps against the same
    decoding of the raw graph's keypoint_logits. Returns (max |Δbox|, max |Δscore|, max
    |Δkeypoint| px or None, candidates compared)."""
    reference = WithoutKeypoints(model) if raw.regression else model
    box, score = check_against_torchvision(reference, raw, pixels)
    heads = model.roi_heads
    saved = heads.nms_thresh
    heads.nms_thresh = raw.reference_iou
    try:
        with torch.no_grad():
            got = raw(normalise(pixels, model.transform.image_mean, model.transform.image_std))
            expected = None if raw.regression else model([p / 255 for p in pixels])
    finally:
        heads.nms_thresh = saved
    count = int(got[0].shape[0])
    if raw.regression or count == 0:
        return box, score, None, count
    boxes, scores, image, maps = got[0], got[1], got[3], got[4]
    decoded = heatmaps_to_keypoints(maps, boxes)[0][..., :2]
    worst = 0.0
    for i, e in enumerate(expected):
        sel = torch.where(image == i)[0]
        for r in sel.tolist():  # the torchvision candidate with the same box and score
            cost = (e["boxes"] - boxes[r]).abs().sum(1) + 1e3 * (e["scores"] - scores[r]).abs()
            j = int(cost.argmin())
            worst = max(worst, float((e["keypoints"][j, :, :2] - decoded[r]).abs().max()))
    if worst > 1.0:
        raise AssertionError(f"raw and torchvision keypoints differ by {worst:.2f} px")
    return box, score, worst, count


__all__ = ["RawKeypointDetector", "Tap", "check_keypoints", "is_regression"]
