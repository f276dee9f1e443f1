"""The training forward of the keypoint models and the keypoint losses of the study.

`training_losses` runs KeypointRCNN's training path step by step (transform, backbone, RPN,
box sampling and box losses as torchvision's RoIHeads does) and then the keypoint head on
the positive proposals, with the loss the configuration names:

- heatmap, sigma 0: torchvision's `keypointrcnn_loss`, the baseline: a one-hot target (the
  cell that contains the keypoint) and cross-entropy over the spatial softmax of each
  keypoint's S x S logits.
- heatmap, sigma > 0: a Gaussian target of standard deviation sigma heatmap cells around
  the keypoint's continuous position, normalised to sum 1 over the S x S cells, and the same
  cross-entropy over the spatial softmax (reported as the KL divergence, i.e. minus the
  target's entropy, so 0 is a perfect fit; the gradient is the cross-entropy's). Why this and
  not MSE on per-pixel heatmaps: it keeps the baseline's output and loss family, so the
  variants differ only in the target (sigma -> 0 gives the one-hot loss back), the logits
  stay a spatial softmax that the runtime decodes the same way for every variant (argmax of
  the upsampled map), and it is not dominated by the background cells as MSE is at sigma 1
  (where the peak covers ~7 of 3136 cells); MSE would also need its own output scaling and
  learning rate, which is a second change to compare.
- regression and integral: L1 between the predicted and the true coordinates normalised to the RoI
  ((x - x1) / w, (y - y1) / h), over every labelled keypoint (v > 0), inside the RoI or not.

Keypoints count where v > 0 (torchvision's rule: occluded ones are targets too); for the
heatmaps only those that fall inside the RoI (as torchvision). `heads_only` computes the
backbone, RPN and sampling without gradients and returns the keypoint loss alone.

Example:
    losses = training_losses(model, images, targets, {"head": "heatmap", "sigma": 2.0})
    sum(losses.values()).backward()
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torchvision.models.detection.roi_heads import fastrcnn_loss, keypointrcnn_loss

from keypoint_model import COORDINATE_HEADS


def training_losses(model, images: list, targets: list, config: dict,
                    heads_only: bool = False) -> dict:
    """The loss dict of one batch (model in train mode; `targets` with boxes, labels,
    keypoints [P, 17, 3])."""
    heads = model.roi_heads
    guard = torch.no_grad() if heads_only else contextlib.nullcontext()
    with guard:
        image_list, targets = model.transform(images, targets)
        features = model.backbone(image_list.tensors)
        proposals, rpn_losses = model.rpn(image_list, features, targets)
        proposals, matched, labels, regression_targets = heads.select_training_samples(
            proposals, targets)
        pos = [torch.where(lab > 0)[0] for lab in labels]
        rois = [p[i] for p, i in zip(proposals, pos)]
        idx = [m[i] for m, i in zip(matched, pos)]
        kp_features = heads.keypoint_roi_pool(features, rois, image_list.image_sizes)
    losses = {}
    if not heads_only:
        x = heads.box_head(heads.box_roi_pool(features, proposals, image_list.image_sizes))
        class_logits, box_regression = heads.box_predictor(x)
        cls, reg = fastrcnn_loss(class_logits, box_regression, labels, regression_targets)
        losses.update(rpn_losses)
        losses.update({"loss_classifier": cls, "loss_box_reg": reg})
    out = heads.keypoint_predictor(heads.keypoint_head(kp_features))
    gt = [t["keypoints"] for t in targets]
    losses["loss_keypoint"] = keypoint_loss(out, rois, gt, idx, config)
    return losses


def keypoint_loss(out, rois, gt, idx, config: dict) -> torch.Tensor:
    if config["head"] in COORDINATE_HEADS:
        return regression_loss(out, rois, gt, idx)
    if float(config.get("sigma", 0)) == 0:
        return keypointrcnn_loss(out, rois, gt, idx)
    return gaussian_heatmap_loss(out, rois, gt, idx, float(config["sigma"]))


def _gather(rois, gt, idx):
    boxes = torch.cat(rois, 0)
    kps = torch.cat([g[i] for g, i in zip(gt, idx)], 0) if boxes.shape[0] else \
        torch.zeros(0, 17, 3)
    return boxes, kps


def gaussian_targets(boxes, kps, size: int, sigma: float):
    """Target distributions [R, K, S*S] (each sums to 1) and the valid mask [R, K]."""
    x1, y1 = boxes[:, 0:1], boxes[:, 1:2]
    w = (boxes[:, 2:3] - x1).clamp(min=1e-3)
    h = (boxes[:, 3:4] - y1).clamp(min=1e-3)
    u = (kps[..., 0] - x1) * size / w  # continuous, in cells (cell i spans [i, i + 1))
    v = (kps[..., 1] - y1) * size / h
    valid = (kps[..., 2] > 0) & (u >= 0) & (v >= 0) & (u < size) & (v < size)
    grid = torch.arange(size, dtype=boxes.dtype) + 0.5
    gx = torch.exp(-((grid[None, None, :] - u[..., None]) ** 2) / (2 * sigma ** 2))
    gy = torch.exp(-((grid[None, None, :] - v[..., None]) ** 2) / (2 * sigma ** 2))
    t = gy[..., :, None] * gx[..., None, :]
    t = t.flatten(2)
    return t / t.sum(-1, keepdim=True).clamp(min=1e-12), valid


def gaussian_heatmap_loss(logits, rois, gt, idx, sigma: float) -> torch.Tensor:
    """Cross-entropy between the spatial softmax of `logits` [R, K, S, S] and Gaussian
    targets of `sigma` cells, reported as KL (minus the target entropy)."""
    boxes, kps = _gather(rois, gt, idx)
    r, k, s, _ = logits.shape
    if r == 0:
        return logits.sum() * 0
    target, valid = gaussian_targets(boxes, kps, s, sigma)
    if not valid.any():
        return logits.sum() * 0
    logp = F.log_softmax(logits.reshape(r, k, s * s), -1)
    t = target[valid]
    return (torch.xlogy(t, t) - t * logp[valid]).sum(-1).mean()


def regression_loss(coords, rois, gt, idx) -> torch.Tensor:
    """L1 between `coords` [R, K, 2] and the keypoints normalised to their RoI."""
    boxes, kps = _gather(rois, gt, idx)
    if coords.shape[0] == 0:
        return coords.sum() * 0
    wh = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1e-3)
    target = (kps[..., :2] - boxes[:, None, :2]) / wh[:, None, :]
    valid = kps[..., 2] > 0
    if not valid.any():
        return coords.sum() * 0
    return F.l1_loss(coords[valid], target[valid])


def regression_to_image(coords, boxes):
    """Normalised RoI coordinates [R, K, 2] -> image coordinates for `boxes` [R, 4]."""
    wh = boxes[:, 2:] - boxes[:, :2]
    return boxes[:, None, :2] + coords * wh[:, None, :]


__all__ = ["training_losses", "keypoint_loss", "gaussian_targets", "gaussian_heatmap_loss",
           "regression_loss", "regression_to_image"]
