"""Reference post-processing of the exported SOLOv2 graph's outputs (solov2_raw.py): SOLO's
own steps, so that src/geometry/solov2_post.ts (`solov2Postprocess`) on the ONNX outputs can
be compared with it (solov2_fixture.py writes both).

WXinlong/SOLO at commit f4cd03b9404e3bd84ca0be45966fb61d20d2efe6: `matrix_nms` below is
mmdet/core/post_processing/matrix_nms.py verbatim (Copyright (c) 2019 the SOLO authors; the
repository's LICENSE is the BSD 2-clause text under the title "SOLO for non-commercial
purposes"; `points_nms`, `center_of_mass` and `dice_loss` in solov2_model/_losses.py too),
and `get_seg_single` is `SOLOv2Head.get_seg_single` (mmdet/models/anchor_heads/
solov2_head.py) with the lines marked CHANGED: the soft masks come in (sigmoid applied: the
graph ran the dynamic convolution for the cells above the threshold) with the plane of each
cell, instead of being made from `kernel_preds`; the grids, strides and config are
arguments; the grid cell and mask plane of each candidate are carried along and returned,
with the binary masks at the mask features' resolution (what solov2Postprocess returns)
besides SOLO's final masks. The final masks are SOLO's: the kept soft masks upsampled x4
bilinearly (align_corners False, torch's default since 0.4.1), cropped to the image (no
padding: 288 x 512 is a multiple of 32), resized to the original size (here the same) and
binarised at mask_thr (align_corners=False made explicit: CHANGED only in form).

Example:
    category_scores, masks, mask_cells, batch_index = raw(normalised)   # solov2_raw.py
    sel = batch_index == 0
    result = postprocess_image(category_scores[0], masks[sel], mask_cells[sel], TEST_CFG,
                               SOLOV2_CONFIG, (288, 512))
    result["scores"], result["labels"], result["cells"], result["masks"]  # masks: bool HxW
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# SOLOv2's test_cfg (configs/solov2/*.py) with nms_pre cut to the graph's cells per image.
TEST_CFG = dict(nms_pre=100, score_thr=0.1, mask_thr=0.5, update_thr=0.05, kernel="gaussian",
                sigma=2.0, max_per_img=100)


# mmdet/core/post_processing/matrix_nms.py, verbatim
def matrix_nms(seg_masks, cate_labels, cate_scores, kernel='gaussian', sigma=2.0, sum_masks=None):
    n_samples = len(cate_labels)
    if n_samples == 0:
        return []
    if sum_masks is None:
        sum_masks = seg_masks.sum((1, 2)).float()
    seg_masks = seg_masks.reshape(n_samples, -1).float()
    # inter.
    inter_matrix = torch.mm(seg_masks, seg_masks.transpose(1, 0))
    # union.
    sum_masks_x = sum_masks.expand(n_samples, n_samples)
    # iou.
    iou_matrix = (inter_matrix / (sum_masks_x + sum_masks_x.transpose(1, 0) - inter_matrix)).triu(diagonal=1)
    # label_specific matrix.
    cate_labels_x = cate_labels.expand(n_samples, n_samples)
    label_matrix = (cate_labels_x == cate_labels_x.transpose(1, 0)).float().triu(diagonal=1)

    # IoU compensation
    compensate_iou, _ = (iou_matrix * label_matrix).max(0)
    compensate_iou = compensate_iou.expand(n_samples, n_samples).transpose(1, 0)

    # IoU decay
    decay_iou = iou_matrix * label_matrix

    # matrix nms
    if kernel == 'gaussian':
        decay_matrix = torch.exp(-1 * sigma * (decay_iou ** 2))
        compensate_matrix = torch.exp(-1 * sigma * (compensate_iou ** 2))
        decay_coefficient, _ = (decay_matrix / compensate_matrix).min(0)
    elif kernel == 'linear':
        decay_matrix = (1-decay_iou)/(1-compensate_iou)
        decay_coefficient, _ = decay_matrix.min(0)
    else:
        raise NotImplementedError

    # update the score.
    cate_scores_update = cate_scores * decay_coefficient
    return cate_scores_update


class Cfg(dict):
    __getattr__ = dict.__getitem__


# mmdet/models/anchor_heads/solov2_head.py SOLOv2Head.get_seg_single
# CHANGED: arguments (soft masks and the plane of each cell; grids and strides)
def get_seg_single(cate_preds, soft_masks, plane_of_cell, seg_num_grids, head_strides,
                   featmap_size, img_shape, ori_shape, cfg):
    # overall info.
    h, w, _ = img_shape
    upsampled_size_out = (featmap_size[0] * 4, featmap_size[1] * 4)

    # process.
    inds = (cate_preds > cfg.score_thr)
    cate_scores = cate_preds[inds]
    if len(cate_scores) == 0:
        return None

    # cate_labels & kernel_preds
    inds = inds.nonzero()
    cate_labels = inds[:, 1]
    cells = inds[:, 0]  # CHANGED: carried along to the output

    # trans vector.
    size_trans = cate_labels.new_tensor(seg_num_grids).pow(2).cumsum(0)  # CHANGED: argument
    strides = soft_masks.new_ones(size_trans[-1])  # CHANGED: kernel_preds.new_ones

    n_stage = len(seg_num_grids)
    strides[:size_trans[0]] *= head_strides[0]  # CHANGED: self.strides
    for ind_ in range(1, n_stage):
        strides[size_trans[ind_-1]:size_trans[ind_]] *= head_strides[ind_]
    strides = strides[inds[:, 0]]

    # mask encoding.
    planes = plane_of_cell[inds[:, 0]]  # CHANGED: the masks come in, sigmoid applied
    assert bool((planes >= 0).all()), "a candidate cell without a mask"  # CHANGED
    seg_preds = soft_masks[planes]  # CHANGED
    # mask.
    seg_masks = seg_preds > cfg.mask_thr
    sum_masks = seg_masks.sum((1, 2)).float()

    # filter.
    keep = sum_masks > strides
    if keep.sum() == 0:
        return None

    seg_masks = seg_masks[keep, ...]
    seg_preds = seg_preds[keep, ...]
    sum_masks = sum_masks[keep]
    cate_scores = cate_scores[keep]
    cate_labels = cate_labels[keep]
    cells, planes = cells[keep], planes[keep]  # CHANGED

    # maskness.
    seg_scores = (seg_preds * seg_masks.float()).sum((1, 2)) / sum_masks
    cate_scores *= seg_scores

    # sort and keep top nms_pre
    sort_inds = torch.argsort(cate_scores, descending=True)
    if len(sort_inds) > cfg.nms_pre:
        sort_inds = sort_inds[:cfg.nms_pre]
    seg_masks = seg_masks[sort_inds, :, :]
    seg_preds = seg_preds[sort_inds, :, :]
    sum_masks = sum_masks[sort_inds]
    cate_scores = cate_scores[sort_inds]
    cate_labels = cate_labels[sort_inds]
    cells, planes = cells[sort_inds], planes[sort_inds]  # CHANGED

    # Matrix NMS
    cate_scores = matrix_nms(seg_masks, cate_labels, cate_scores,
                             kernel=cfg.kernel, sigma=cfg.sigma, sum_masks=sum_masks)

    # filter.
    keep = cate_scores >= cfg.update_thr
    if keep.sum() == 0:
        return None
    seg_preds = seg_preds[keep, :, :]
    seg_masks = seg_masks[keep, :, :]  # CHANGED: the binary masks are returned too
    cate_scores = cate_scores[keep]
    cate_labels = cate_labels[keep]
    cells, planes = cells[keep], planes[keep]  # CHANGED

    # sort and keep top_k
    sort_inds = torch.argsort(cate_scores, descending=True)
    if len(sort_inds) > cfg.max_per_img:
        sort_inds = sort_inds[:cfg.max_per_img]
    seg_preds = seg_preds[sort_inds, :, :]
    seg_masks = seg_masks[sort_inds, :, :]  # CHANGED
    cate_scores = cate_scores[sort_inds]
    cate_labels = cate_labels[sort_inds]
    cells, planes = cells[sort_inds], planes[sort_inds]  # CHANGED

    binary = seg_masks  # CHANGED: kept before the upsampling
    seg_preds = F.interpolate(seg_preds.unsqueeze(0),
                              size=upsampled_size_out,
                              mode='bilinear', align_corners=False)[:, :, :h, :w]  # CHANGED
    seg_masks = F.interpolate(seg_preds,
                              size=ori_shape[:2],
                              mode='bilinear', align_corners=False).squeeze(0)  # CHANGED
    seg_masks = seg_masks > cfg.mask_thr
    return seg_masks, cate_labels, cate_scores, cells, planes, binary  # CHANGED


def postprocess_image(scores: torch.Tensor, masks: torch.Tensor, mask_cells: torch.Tensor,
                      test_cfg: dict, config: dict, size: tuple) -> dict:
    """One image of the graph's outputs (scores [G, C], its masks [M, h, w] and their cells
    [M]) through get_seg_single. Returns scores [D], labels [D] (0-based columns), cells [D],
    planes [D] (index into `masks`), binary [D, h, w] (mask resolution) and masks [D, H, W]
    (bool, input size), empty tensors when nothing is kept."""
    g = scores.shape[0]
    plane_of_cell = torch.full((g,), -1, dtype=torch.int64)
    plane_of_cell[mask_cells] = torch.arange(len(mask_cells))
    out = get_seg_single(scores, masks, plane_of_cell, config["grids"], config["strides"],
                         tuple(masks.shape[-2:]), (*size, 3), (*size, 3), Cfg(test_cfg))
    if out is None:
        hm, wm = masks.shape[-2:]
        none = torch.zeros(0, dtype=torch.int64)
        return {"masks": torch.zeros(0, *size, dtype=torch.bool), "labels": none,
                "scores": torch.zeros(0), "cells": none, "planes": none,
                "binary": torch.zeros(0, hm, wm, dtype=torch.bool)}
    keys = ("masks", "labels", "scores", "cells", "planes", "binary")
    return dict(zip(keys, out))


def postprocess_batch(outputs, test_cfg: dict, config: dict, size: tuple) -> list:
    """The graph's four outputs for a batch -> postprocess_image per image."""
    scores, masks, mask_cells, batch_index = outputs
    results = []
    for b in range(scores.shape[0]):
        sel = batch_index == b
        results.append(postprocess_image(scores[b], masks[sel], mask_cells[sel], test_cfg,
                                          config, size))
    return results


__all__ = ["matrix_nms", "get_seg_single", "postprocess_image", "postprocess_batch", "TEST_CFG"]
