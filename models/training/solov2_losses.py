"""SOLOv2's training targets and losses, as WXinlong/SOLO (commit
f4cd03b9404e3bd84ca0be45966fb61d20d2efe6) computes them: `SOLOv2Head.solov2_target_single`
and `SOLOv2Head.loss` (mmdet/models/anchor_heads/solov2_head.py), with mmdet's sigmoid focal
loss (mmdet/models/losses/focal_loss.py: gamma 2, alpha 0.25, weight 1) on the categories and
`dice_loss` (weight 3) on the masks.

Targets, per image and level: the instances whose sqrt(box area) lies in the level's scale
range (inclusive, so an instance can train two levels); for each, its centre region (the
mass centre +- sigma x half the box, at most one cell from the centre cell) gets its label
(1-based; 0 is background, column label - 1 is its category) and, per cell, the instance
mask at the mask features' size. SOLO rescales masks with mmcv.imrescale(mask, 1/4), cv2's
bilinear on uint8: at a 1/4 scale each pixel is the mean of the 2 x 2 centre pixels of its
4 x 4 block, rounded half up; torch's bilinear (align_corners False, no antialias) samples
the same points, then >= 0.5. Crowd instances never reach here (targets_from_ids leaves
them out): SOLO ignores crowd annotations, so their pixels are background.

Losses: focal loss summed over every cell and class / (positive cells + 1); dice over the
positive (cell, mask) pairs of the batch, mean, x 3. A batch without positives has a mask
loss of 0 (SOLO's torch.cat of nothing would fail).

Example:
    targets = [solov2_targets(t["boxes"], t["labels"], t["masks"], config, (72, 128))
               for t in batch_targets]
    losses = solov2_losses(cates, kernels, mask_features, targets)   # loss_ins, loss_cate

`python3 solov2_losses.py` runs the checks at the bottom on synthetic targets.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

MASK_STRIDE = 4


def center_of_mass(bitmasks: torch.Tensor):
    """SOLO's center_of_mass, verbatim."""
    _, h, w = bitmasks.size()
    ys = torch.arange(0, h, dtype=torch.float32, device=bitmasks.device)
    xs = torch.arange(0, w, dtype=torch.float32, device=bitmasks.device)

    m00 = bitmasks.sum(dim=-1).sum(dim=-1).clamp(min=1e-6)
    m10 = (bitmasks * xs).sum(dim=-1).sum(dim=-1)
    m01 = (bitmasks * ys[:, None]).sum(dim=-1).sum(dim=-1)
    center_x = m10 / m00
    center_y = m01 / m00
    return center_x, center_y


def rescale_masks(masks: torch.Tensor, size: tuple) -> torch.Tensor:
    """uint8 [n, H, W] masks at the input size -> uint8 [n, h, w] at `size` (mmcv.imrescale at
    1/4 then placed top-left, as SOLO pads)."""
    n, h, w = masks.shape
    sh, sw = int(h / MASK_STRIDE + 0.5), int(w / MASK_STRIDE + 0.5)  # mmcv's rescale_size
    small = F.interpolate(masks[:, None].float(), size=(sh, sw), mode="bilinear",
                          align_corners=False)[:, 0] >= 0.5
    out = torch.zeros((n, *size), dtype=torch.uint8)
    out[:, :min(sh, size[0]), :min(sw, size[1])] = small[:, :size[0], :size[1]]
    return out


def solov2_targets(boxes: torch.Tensor, labels: torch.Tensor, masks: torch.Tensor,
                   config: dict, mask_feat_size: tuple):
    """One image's targets: per level, (ins_label uint8 [n, h, w], cate_label int64 [S, S],
    ins_ind_label bool [S*S], grid_order list of n cell indices). `boxes` float [K, 4] x1 y1
    x2 y2, `labels` int64 [K] 1..C, `masks` uint8 [K, H, W] at the input size."""
    gt_areas = torch.sqrt((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    small_masks = rescale_masks(masks, mask_feat_size) if len(masks) else None
    out = []
    for (lower, upper), num_grid in zip(config["scale_ranges"], config["grids"]):
        hit = ((gt_areas >= lower) & (gt_areas <= upper)).nonzero().flatten()
        cate_label = torch.zeros([num_grid, num_grid], dtype=torch.int64)
        ins_ind_label = torch.zeros([num_grid ** 2], dtype=torch.bool)
        ins_label, grid_order = [], []
        if len(hit):
            gt_bboxes, gt_labels = boxes[hit], labels[hit]
            half_ws = 0.5 * (gt_bboxes[:, 2] - gt_bboxes[:, 0]) * config["sigma"]
            half_hs = 0.5 * (gt_bboxes[:, 3] - gt_bboxes[:, 1]) * config["sigma"]
            gt_masks = masks[hit]
            center_ws, center_hs = center_of_mass(gt_masks)
            valid_mask_flags = gt_masks.sum(dim=-1).sum(dim=-1) > 0
            upsampled_size = (mask_feat_size[0] * 4, mask_feat_size[1] * 4)
            for k, gt_label, half_h, half_w, center_h, center_w, valid in zip(
                    hit.tolist(), gt_labels, half_hs, half_ws, center_hs, center_ws,
                    valid_mask_flags):
                if not valid:
                    continue
                coord_w = int((center_w / upsampled_size[1]) // (1. / num_grid))
                coord_h = int((center_h / upsampled_size[0]) // (1. / num_grid))
                # left, top, right, down
                top_box = max(0, int(((center_h - half_h) / upsampled_size[0]) // (1. / num_grid)))
                down_box = min(num_grid - 1,
                               int(((center_h + half_h) / upsampled_size[0]) // (1. / num_grid)))
                left_box = max(0, int(((center_w - half_w) / upsampled_size[1]) // (1. / num_grid)))
                right_box = min(num_grid - 1,
                                int(((center_w + half_w) / upsampled_size[1]) // (1. / num_grid)))
                top, down = max(top_box, coord_h - 1), min(down_box, coord_h + 1)
                left, right = max(coord_w - 1, left_box), min(right_box, coord_w + 1)
                cate_label[top:(down + 1), left:(right + 1)] = gt_label
                for i in range(top, down + 1):
                    for j in range(left, right + 1):
                        ins_label.append(small_masks[k])
                        ins_ind_label[i * num_grid + j] = True
                        grid_order.append(i * num_grid + j)
        ins_label = (torch.stack(ins_label) if ins_label else
                     torch.zeros([0, *mask_feat_size], dtype=torch.uint8))
        out.append((ins_label, cate_label, ins_ind_label, grid_order))
    return out


def dice_loss(input, target):
    """SOLO's dice_loss, verbatim: 1 - dice per mask."""
    input = input.contiguous().view(input.size()[0], -1)
    target = target.contiguous().view(target.size()[0], -1).float()

    a = torch.sum(input * target, 1)
    b = torch.sum(input * input, 1) + 0.001
    c = torch.sum(target * target, 1) + 0.001
    d = (2 * a) / (b + c)
    return 1 - d


def sigmoid_focal_loss(pred, target, gamma=2.0, alpha=0.25):
    """mmdet's py_sigmoid_focal_loss (reduction none): `target` one-hot float [n, C]."""
    pred_sigmoid = pred.sigmoid()
    target = target.type_as(pred)
    pt = (1 - pred_sigmoid) * target + pred_sigmoid * (1 - target)
    focal_weight = (alpha * target + (1 - alpha) * (1 - target)) * pt.pow(gamma)
    return F.binary_cross_entropy_with_logits(pred, target, reduction="none") * focal_weight


def solov2_losses(cates: list, kernels: list, mask_features: torch.Tensor, targets: list,
                  ins_weight: float = 3.0) -> dict:
    """SOLOv2Head.loss: `cates` / `kernels` per level [N, C | E, S, S], `mask_features`
    [N, E, h, w], `targets` per image (solov2_targets). Returns {loss_ins, loss_cate}."""
    n, e = mask_features.shape[:2]
    offsets = [0]
    for k in kernels:
        offsets.append(offsets[-1] + k.shape[-2] * k.shape[-1])
    flat = torch.cat([k.reshape(n, e, -1) for k in kernels], 2)  # [N, E, G]
    predicted, wanted = [], []
    for b, per_level in enumerate(targets):
        cells = [offsets[lv] + g for lv, t in enumerate(per_level) for g in t[3]]
        if not cells:
            continue
        kernel = flat[b][:, torch.tensor(cells, dtype=torch.int64)]  # [E, n]
        predicted.append(torch.einsum("en,ehw->nhw", kernel, mask_features[b]))
        wanted.append(torch.cat([t[0] for t in per_level]))
    if predicted:
        loss_ins = dice_loss(torch.cat(predicted).sigmoid(), torch.cat(wanted)).mean()
    else:
        loss_ins = mask_features.sum() * 0
    classes = cates[0].shape[1]
    labels = torch.cat([targets[b][lv][1].flatten() for lv in range(len(cates))
                        for b in range(n)])
    preds = torch.cat([c.permute(0, 2, 3, 1).reshape(-1, classes) for c in cates])
    onehot = F.one_hot(labels, classes + 1)[:, 1:]
    num_ins = sum(int(t[2].sum()) for per_level in targets for t in per_level)
    loss_cate = sigmoid_focal_loss(preds, onehot).sum() / (num_ins + 1)
    return {"loss_ins": loss_ins * ins_weight, "loss_cate": loss_cate}


def check() -> None:
    """Synthetic checks: a 40 x 40 square and a 100 x 60 box, their cells, rescaled masks
    and losses."""
    from solov2_model import SOLOV2_CONFIG as cfg

    h, w = 288, 512
    masks = torch.zeros(2, h, w, dtype=torch.uint8)
    masks[0, 100:140, 200:240] = 1  # 40 px: levels 1 (18-72) and 2 (36-144)
    masks[1, 20:80, 300:400] = 1  # sqrt(6000) = 77 px: levels 2 and 3
    boxes = torch.tensor([[200, 100, 240, 140], [300, 20, 400, 80]], dtype=torch.float32)
    labels = torch.tensor([2, 4])
    t = solov2_targets(boxes, labels, masks, cfg, (72, 128))
    levels = [int(lv[2].sum()) for lv in t]
    # Square, level 1 (S 36): mass centre (219.5, 119.5) -> row 14, col 15; the centre
    # region (+-4 px) reaches row 15 (123.5 / 288 * 36 = 15.4).
    assert levels == [0, 2, 6, 4, 0], levels  # level 2: 2 + 4 cells (hand-computed too)
    assert t[1][3] == [14 * 36 + 15, 15 * 36 + 15] and int(t[1][1][15, 15]) == 2, t[1][3]
    # Box, level 3 (S 16): centre (349.5, 49.5) -> row 2, col 10; +-10 x +-6 px reach col
    # 11 (359.5 / 512 * 16 = 11.2) and row 3 (55.5 / 288 * 16 = 3.1).
    assert t[3][3] == [42, 43, 58, 59] and int(t[3][1][3, 11]) == 4, t[3][3]
    small = t[1][0][0]
    ys, xs = small.nonzero(as_tuple=True)
    assert (int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())) == (25, 34, 50, 59)
    # A box straddling cells: its centre region covers up to 3 x 3 cells.
    big = torch.zeros(1, h, w, dtype=torch.uint8)
    big[0, 0:288, 0:280] = 1  # 284 px: levels 3 (3 x 3 cells) and 4 (3 rows x 2 cols)
    tb = solov2_targets(torch.tensor([[0., 0, 280, 288]]), torch.tensor([1]), big, cfg,
                        (72, 128))
    assert [len(lv[3]) for lv in tb] == [0, 0, 0, 9, 6], [len(lv[3]) for lv in tb]
    # Losses: a perfect mask has dice ~0; confident right categories a small focal loss.
    assert float(dice_loss(small[None].float(), small[None])) < 1e-3
    assert abs(float(dice_loss(torch.zeros(1, 4, 4), torch.ones(1, 4, 4))) - 1) < 1e-3
    g = sum(s * s for s in cfg["grids"])
    cates = [9.0 * (2 * F.one_hot(tt[1], 5)[None, ..., 1:].permute(0, 3, 1, 2).float() - 1)
             for tt in t]  # +9 on each positive cell's class, -9 elsewhere
    kernels = [torch.zeros(1, 32, s, s, requires_grad=True) for s in cfg["grids"]]
    feats = torch.zeros(1, 32, 72, 128)
    losses = solov2_losses(cates, kernels, feats, [t])
    assert float(losses["loss_cate"]) < 1e-5 * g, losses
    wanted = torch.cat([tt[0] for tt in t])  # sigmoid(0) = 0.5 everywhere
    expected = 3 * float(dice_loss(torch.full(wanted.shape, 0.5), wanted).mean())
    assert abs(float(losses["loss_ins"]) - expected) < 1e-4, (losses, expected)
    losses["loss_ins"].backward()
    assert kernels[1].grad is not None
    empty = solov2_losses(cates, kernels, feats, [[(torch.zeros(0, 72, 128, dtype=torch.uint8),
                                                    torch.zeros(s, s, dtype=torch.int64),
                                                    torch.zeros(s * s, dtype=torch.bool), [])
                                                   for s in cfg["grids"]]])
    assert float(empty["loss_ins"]) == 0 and float(empty["loss_cate"]) > 1, empty
    print(f"solov2_losses: checks pass (cells per level {levels}; focal "
          f"{float(losses['loss_cate']):.2e}, dice at 0.5 {float(losses['loss_ins']):.3f}, "
          f"background-only focal {float(empty['loss_cate']):.1f})")


if __name__ == "__main__":
    torch.set_num_threads(1)
    check()
