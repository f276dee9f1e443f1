"""torchvision's Faster / Mask R-CNN inference, vectorised over the batch and stopped
before the final NMS: the graph the runtime wants (docs/ARCHITECTURE.md, "The model contract").

torchvision's RPN and RoI heads loop over images, so a traced graph only accepts the
batch it was traced with. Here every per-image step works on one flat list of candidates
that carry their image index instead:

- RPN: per-level top-k on [N, A] scores (batched), then one NMS with the index
  `image * levels + level` folded into the class (the coordinate-offset trick that
  torchvision's `batched_nms` uses when tracing), then the first `post_nms_top_n` per
  image by rank-in-image (a one-hot cumulative sum over the score-sorted list).
- RoI pooling: `roi_align` per FPN level on rois that carry their image index, put back
  in order by a gather with the inverse permutation (no scatter of the pooled features).
- Box head: softmax, per-class decode and clip, background dropped, score threshold and
  small boxes removed, then the top `detections_per_img` per image by rank-in-image.
  No class NMS: TypeScript applies hard / soft / matrix NMS. `candidate_nms` (off by
  default) first drops near-duplicates above that IoU (per image and class), so that in
  crowds the top `detections_per_img` are distinct objects rather than copies of the
  strongest ones; the final NMS still runs in TypeScript.

Outputs (D candidates over the whole batch, grouped by image, by decreasing score):
boxes [D, 4] (x1, y1, x2, y2 in input pixels), scores [D], labels [D] (int64),
batch_index [D] (int64), mask_logits [D, M, M] (the label's channel, before sigmoid),
semantic_logits [N, S, H/4, W/4] when the model has a `semantic_head`.

Example:
    raw = RawDetector(model, (288, 512))
    boxes, scores, labels, batch_index, mask_logits, semantic = raw(images)  # normalised
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.detection.image_list import ImageList
from torchvision.ops import boxes as box_ops
from torchvision.ops import roi_align
from torchvision.ops.poolers import _filter_input, _setup_scales


def rank_in_image(image: torch.Tensor, count: torch.Tensor) -> torch.Tensor:
    """For a list already sorted by decreasing score, each entry's rank among the entries of
    its own image (0 for the best of each image)."""
    onehot = (image[:, None] == torch.arange(count, device=image.device)[None, :]).to(
        torch.float32)
    return ((onehot.cumsum(0) * onehot).sum(1) - 1).to(torch.int64)


def group_by_image(image: torch.Tensor, rank: torch.Tensor) -> torch.Tensor:
    """Order that groups entries by image, by rank inside each image (ranks < 2^20)."""
    key = image.to(torch.float32) * float(1 << 20) + rank.to(torch.float32)
    return torch.sort(key)[1]


class RawDetector(nn.Module):
    """Wraps a torchvision GeneralizedRCNN (eval mode) for raw, dynamic-batch export.

    `size` is the fixed (H, W) of the input; the input is already normalised with the
    model's mean and std (the runtime pre-processes)."""

    def __init__(self, model: nn.Module, size: tuple, candidate_nms: float | None = None):
        super().__init__()
        self.model = model.eval()
        self.candidate_nms = candidate_nms
        self.height, self.width = size
        self.has_masks = getattr(model.roi_heads, "mask_head", None) is not None
        self.semantic_head = getattr(model, "semantic_head", None)
        # Run once so the poolers fix their scales, and take the anchors as a constant.
        with torch.no_grad():
            x = torch.zeros(1, 3, self.height, self.width)
            features = model.backbone(x)
            image_list = ImageList(x, [(self.height, self.width)])
            anchors = model.rpn.anchor_generator(image_list, list(features.values()))[0]
            pools = [model.roi_heads.box_roi_pool]
            if self.has_masks:
                pools.append(model.roi_heads.mask_roi_pool)
            for pool in pools:
                pool.scales, pool.map_levels = _setup_scales(
                    _filter_input(features, pool.featmap_names), image_list.image_sizes,
                    pool.canonical_scale, pool.canonical_level)
        self.register_buffer("anchors", anchors)
        self.level_sizes = [int(f.shape[-2] * f.shape[-1]) * model.rpn.anchor_generator
                            .num_anchors_per_location()[0] for f in features.values()]

    @property
    def reference_iou(self) -> float:
        """The IoU of torchvision's class NMS under which its eval forward gives this graph's
        candidates: 1.0 (keeps every box), or `candidate_nms` where the graph has one."""
        return 1.0 if self.candidate_nms is None else self.candidate_nms

    # ------------------------------------------------------------------ RPN

    def proposals(self, images, features):
        rpn = self.model.rpn
        n = images.shape[0]
        objectness, deltas = rpn.head(list(features.values()))
        # Per level [N, A_l*1, H, W] -> [N, A] in torchvision's anchor order.
        obj = torch.cat([o.permute(0, 2, 3, 1).reshape(n, -1) for o in objectness], 1)
        reg = torch.cat([d.view(n, -1, 4, d.shape[-2], d.shape[-1]).permute(0, 3, 4, 1, 2)
                         .reshape(n, -1, 4) for d in deltas], 1)
        boxes = rpn.box_coder.decode_single(reg.reshape(-1, 4), self.anchors.repeat(n, 1))
        boxes = boxes.view(n, -1, 4)
        pre = rpn.pre_nms_top_n()
        picks, levels, start = [], [], 0
        for level, size in enumerate(self.level_sizes):
            k = min(pre, size)
            _, idx = obj[:, start:start + size].topk(k, dim=1)
            picks.append(idx + start)
            levels.append(torch.full((k,), level, dtype=torch.int64))
            start += size
        idx = torch.cat(picks, 1)  # [N, K]
        k_total = idx.shape[1]
        image = torch.arange(n)[:, None].expand(n, k_total).reshape(-1)
        flat = (image * obj.shape[1] + idx.reshape(-1))
        scores = torch.sigmoid(obj.reshape(-1)[flat])
        boxes = box_ops.clip_boxes_to_image(boxes.reshape(-1, 4)[flat], (self.height, self.width))
        level = torch.cat(levels).repeat(n)
        w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        keep = torch.where((w >= rpn.min_size) & (h >= rpn.min_size) & (scores >= rpn.score_thresh))[0]
        boxes, scores, image, level = boxes[keep], scores[keep], image[keep], level[keep]
        keep = box_ops.batched_nms(boxes, scores, image * len(self.level_sizes) + level,
                                   rpn.nms_thresh)
        keep = keep[rank_in_image(image[keep], n) < rpn.post_nms_top_n()]
        return boxes[keep], image[keep]

    # ------------------------------------------------------------------ RoI pooling

    def pool(self, pooler, features, boxes, image):
        feats = _filter_input(features, pooler.featmap_names)
        rois = torch.cat([image[:, None].to(boxes.dtype), boxes], 1)
        if len(feats) == 1:
            return roi_align(feats[0], rois, pooler.output_size, pooler.scales[0],
                             pooler.sampling_ratio)
        levels = pooler.map_levels([boxes])
        parts, order = [], []
        for level, (feat, scale) in enumerate(zip(feats, pooler.scales)):
            idx = torch.where(levels == level)[0]
            parts.append(roi_align(feat, rois[idx], pooler.output_size, scale,
                                   pooler.sampling_ratio))
            order.append(idx)
        order = torch.cat(order)
        inverse = torch.zeros_like(order).scatter(0, order, torch.arange(order.shape[0]))
        return torch.cat(parts, 0)[inverse]

    # ------------------------------------------------------------------ heads

    def forward(self, images: torch.Tensor):
        n = images.shape[0]
        features = self.model.backbone(images)
        proposals, image = self.proposals(images, features)
        heads = self.model.roi_heads
        x = heads.box_head(self.pool(heads.box_roi_pool, features, proposals, image))
        class_logits, box_regression = heads.box_predictor(x)
        classes = class_logits.shape[-1]
        boxes = heads.box_coder.decode_single(box_regression, proposals).reshape(-1, classes, 4)
        boxes = box_ops.clip_boxes_to_image(boxes, (self.height, self.width))
        scores = F.softmax(class_logits, -1)
        labels = torch.arange(classes)[None, :].expand_as(scores)
        boxes, scores, labels = boxes[:, 1:].reshape(-1, 4), scores[:, 1:].reshape(-1), \
            labels[:, 1:].reshape(-1)
        image = image[:, None].expand(-1, classes - 1).reshape(-1)
        w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        keep = torch.where((scores > heads.score_thresh) & (w >= 1e-2) & (h >= 1e-2))[0]
        boxes, scores, labels, image = boxes[keep], scores[keep], labels[keep], image[keep]
        order = torch.sort(scores, descending=True)[1]
        boxes, scores, labels, image = boxes[order], scores[order], labels[order], image[order]
        if self.candidate_nms is not None:  # batched_nms keeps the decreasing-score order
            keep = box_ops.batched_nms(boxes, scores, image * classes + labels, self.candidate_nms)
            boxes, scores, labels, image = boxes[keep], scores[keep], labels[keep], image[keep]
        rank = rank_in_image(image, n)
        keep = torch.where(rank < heads.detections_per_img)[0]
        order = keep[group_by_image(image[keep], rank[keep])]
        boxes, scores, labels, image = boxes[order], scores[order], labels[order], image[order]
        outputs = [boxes, scores, labels, image]
        if self.has_masks:
            m = heads.mask_predictor(heads.mask_head(self.pool(heads.mask_roi_pool, features,
                                                               boxes, image)))
            outputs.append(m[torch.arange(m.shape[0]), labels])
        if self.semantic_head is not None:
            outputs.append(self.semantic_head(features))
        return tuple(outputs)

    def output_names(self):
        names = ["boxes", "scores", "labels", "batch_index"]
        if self.has_masks:
            names.append("mask_logits")
        if self.semantic_head is not None:
            names.append("semantic_logits")
        return names
