"""A small SOLOv2 (Wang et al., "SOLOv2: Dynamic and Fast Instance Segmentation", 2020) on the
street models' backbone + FPN (model.small_backbone(): 64 channels, P2..P6 at strides 4..64),
for 288x512 inputs and the 4 street thing classes, as WXinlong/SOLO (commit
f4cd03b9404e3bd84ca0be45966fb61d20d2efe6) builds it:

- `SOLOv2Head` (mmdet/models/anchor_heads/solov2_head.py): the five levels are P2 resized
  x0.5, P3, P4, P5 and P6 resized to P5 (`split_feats`, strides 8, 8, 16, 32, 32); each gets
  two coordinate channels (x, y in -1..1), is resized bilinearly to its S x S grid, and goes
  through the category tower (without the coordinates) -> C logits per cell, and the kernel
  tower -> E values per cell: a 1x1 dynamic convolution kernel. Towers are shared by the
  levels; ConvModule = conv (no bias) + GroupNorm + ReLU.
- `MaskFeatHead` (mmdet/models/mask_heads/mask_feat_head.py): P2..P5, level i through i
  (conv + x2 bilinear upsampling) steps to stride 4 (P5 with the coordinate channels),
  summed, then a 1x1 ConvModule to E channels: the unified mask features [N, E, H/4, W/4].
  A cell's soft mask is sigmoid(kernel . features) at stride 4 (72 x 128 here).

Sizes (SOLOv2-light R18: 2 stacked convs; channels scaled to our 64-channel FPN): towers of
64 channels, mask features 32 channels, E = 32; GroupNorm of 8 groups (SOLO: 32 groups).

Grids and scale ranges. SOLO's grid is in image units (an S x S grid over the whole image,
whatever its size: SOLOv2-light keeps 40, 36, 24, 16, 12 at 448 as the R50 model does at
800), so the grids stay. Scale ranges are in input pixels (sqrt of the box area) and scale
with the input: the R50 config's ((1, 96), (48, 192), (96, 384), (192, 768), (384, 2048)) at
a 800 x 1333 input become x3/8 at 288 x 512 (288/800 = 0.36, 512/1333 = 0.38):
((1, 36), (18, 72), (36, 144), (72, 288), (144, 768)) -- as SOLOv2-light x0.58 at 448. Each
level keeps the paper's object size in cells (level 0: up to 36 px = 5 cells of 7.2 px).
Our objects (~5 to ~250 px, median ~30) fill levels 0-2 most, level 4 only rarely.

Example:
    model = Solov2(SOLOV2_CONFIG)
    cate_logits, kernels, mask_features = model(normalised)   # per-level lists, [N,E,72,128]
    scores = category_scores(cate_logits)                     # [N, G, C], eval form
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from model import FPN_CHANNELS, small_backbone

SOLOV2_CONFIG = {
    "num_classes": 4,  # category columns: label - 1 (car, person, bicycle, sign)
    "grids": [40, 36, 24, 16, 12],
    "strides": [8, 8, 16, 32, 32],  # of the head's levels (get_seg_single's area test)
    "scale_ranges": [[1, 36], [18, 72], [36, 144], [72, 288], [144, 768]],
    "sigma": 0.2,  # centre region: sigma x the box around the mass centre
    "head_channels": 64,
    "stacked_convs": 2,
    "mask_channels": 32,
    "kernel_channels": 32,  # E
    "groups": 8,
}
MASK_STRIDE = 4


def conv_module(cin: int, cout: int, groups: int, k: int = 3) -> nn.Sequential:
    """mmdet's ConvModule with GN: conv without bias, GroupNorm, ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, 1, k // 2, bias=False),
                         nn.GroupNorm(groups, cout), nn.ReLU(inplace=True))


_COORDS: dict = {}


def coord_feat(x: torch.Tensor) -> torch.Tensor:
    """SOLO's coordinate channels for `x` [N, C, H, W]: [N, 2, H, W], x then y, linspace(-1, 1).
    A constant per feature size (the traced graph keeps it as one); the batch is dynamic."""
    h, w = int(x.shape[-2]), int(x.shape[-1])
    if (h, w) not in _COORDS:
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w),
                                indexing="ij")
        _COORDS[(h, w)] = torch.stack([xs, ys])[None]
    return _COORDS[(h, w)].to(x.dtype).expand(x.shape[0], -1, -1, -1)


class MaskFeatHead(nn.Module):
    """SOLO's MaskFeatHead (start_level 0, end_level 3): P2..P5 -> [N, out, H/4, W/4]."""

    def __init__(self, cin: int, mid: int, out: int, groups: int, levels: int = 4):
        super().__init__()
        self.convs_all_levels = nn.ModuleList()
        for i in range(levels):
            steps = []
            for j in range(max(i, 1)):
                chn = (cin + 2 if i == levels - 1 else cin) if j == 0 else mid
                steps.append(conv_module(chn, mid, groups))
                if i > 0:
                    steps.append(nn.Upsample(scale_factor=2, mode="bilinear",
                                             align_corners=False))
            self.convs_all_levels.append(nn.Sequential(*steps))
        self.conv_pred = conv_module(mid, out, groups, k=1)

    def forward(self, inputs: list) -> torch.Tensor:
        x = self.convs_all_levels[0](inputs[0])
        last = len(inputs) - 1
        for i in range(1, len(inputs)):
            p = inputs[i]
            if i == last:
                p = torch.cat([p, coord_feat(p)], 1)
            x = x + self.convs_all_levels[i](p)
        return self.conv_pred(x)


class Solov2(nn.Module):
    """The network; `forward` gives the raw head outputs (training and export use them)."""

    def __init__(self, config: dict):
        super().__init__()
        self.config = dict(config)
        c, k, g = config["head_channels"], config["kernel_channels"], config["groups"]
        self.grids = list(config["grids"])
        self.backbone = small_backbone()
        self.mask_head = MaskFeatHead(FPN_CHANNELS, config["mask_channels"], k, g)
        n = config["stacked_convs"]
        self.cate_convs = nn.Sequential(*[conv_module(FPN_CHANNELS if i == 0 else c, c, g)
                                          for i in range(n)])
        self.kernel_convs = nn.Sequential(*[conv_module(FPN_CHANNELS + 2 if i == 0 else c, c, g)
                                            for i in range(n)])
        self.solo_cate = nn.Conv2d(c, config["num_classes"], 3, padding=1)
        self.solo_kernel = nn.Conv2d(c, k, 3, padding=1)
        self.init_weights()

    def init_weights(self):
        """SOLO's init_weights: normal(0, 0.01) convs in the heads, the category bias at the
        prior probability 0.01; the backbone and FPN keep torchvision's initialisation."""
        for m in [*self.mask_head.modules(), *self.cate_convs.modules(),
                  *self.kernel_convs.modules(), self.solo_cate, self.solo_kernel]:
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.constant_(self.solo_cate.bias, -math.log((1 - 0.01) / 0.01))

    def split_feats(self, feats: list) -> list:
        size = lambda f: f.shape[-2:]  # noqa: E731
        return [F.interpolate(feats[0], size=size(feats[1]), mode="bilinear",
                              align_corners=False),
                feats[1], feats[2], feats[3],
                F.interpolate(feats[4], size=size(feats[3]), mode="bilinear",
                              align_corners=False)]

    def forward(self, images: torch.Tensor):
        """Normalised [N, 3, H, W] -> (category logits [N, C, S, S] per level, kernels
        [N, E, S, S] per level, mask features [N, E, H/4, W/4])."""
        feats = list(self.backbone(images).values())  # P2, P3, P4, P5, P6
        mask_features = self.mask_head(feats[:4])
        cates, kernels = [], []
        for x, s in zip(self.split_feats(feats), self.grids):
            x = torch.cat([x, coord_feat(x)], 1)
            x = F.interpolate(x, size=(s, s), mode="bilinear", align_corners=False)
            cates.append(self.solo_cate(self.cate_convs(x[:, :-2])))
            kernels.append(self.solo_kernel(self.kernel_convs(x)))
        return cates, kernels, mask_features


def points_nms(heat: torch.Tensor, kernel: int = 2) -> torch.Tensor:
    """SOLO's points_nms, verbatim (solov2_head.py): keep the scores that are the max of their
    2x2 window with the cells above and to the left."""
    # kernel must be 2
    hmax = nn.functional.max_pool2d(
        heat, (kernel, kernel), stride=1, padding=1)
    keep = (hmax[:, :, :-1, :-1] == heat).float()
    return heat * keep


def category_scores(cates: list) -> torch.Tensor:
    """Eval-mode category scores: sigmoid, points_nms, cells row-major, levels concatenated:
    [N, G, C] (G = sum of S^2)."""
    return torch.cat([points_nms(c.sigmoid()).permute(0, 2, 3, 1).reshape(c.shape[0], -1,
                                                                          c.shape[1])
                      for c in cates], 1)


def flat_kernels(kernels: list) -> torch.Tensor:
    """The kernels of every cell, as the scores: [N, G, E]."""
    return torch.cat([k.permute(0, 2, 3, 1).reshape(k.shape[0], -1, k.shape[1])
                      for k in kernels], 1)


def cell_strides(config: dict) -> torch.Tensor:
    """The stride of each of the G cells (get_seg_single's `strides` vector)."""
    return torch.cat([torch.full((s * s,), float(st)) for s, st in zip(config["grids"],
                                                                       config["strides"])])


__all__ = ["Solov2", "SOLOV2_CONFIG", "MASK_STRIDE", "category_scores", "flat_kernels",
           "cell_strides", "points_nms", "coord_feat"]
