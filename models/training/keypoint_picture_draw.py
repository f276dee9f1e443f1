"""The drawing of keypoint_pictures.py (numpy and PIL only): person crops enlarged from a
frame, skeletons, spatial-softmax heatmaps pasted over their RoI in a colormap, and the
labelled grids the pictures are made of.

Coordinates are COCO's continuous ones in the source frame (pixel i covers [i, i + 1));
`Crop` maps them to the enlarged crop.

Example:
    crop = Crop(frame, region_around(box, points), height=160)
    img = crop.image.copy()
    overlay_heatmap(img, crop, probs.max(0), roi)        # [S, S] softmax map over roi
    draw_skeleton(ImageDraw.Draw(img), crop.points(kps), labelled, GT_COLOUR)
    save_png(grid([[img]], ["onehot-56"], ["size 143 px"]), "heatmaps.png")
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pose_skeleton import SKELETON

GT_COLOUR = (40, 220, 60)
PRED_COLOUR = (235, 40, 40)
DECODED_COLOUR = (80, 230, 255)  # decoded keypoints over a heatmap (red would vanish in it)
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
FONT = ImageFont.load_default()
LINE = 12  # text line height of the default font
# An "inferno"-like ramp: black, purple, red, orange, pale yellow.
RAMP = np.array([[0, 0, 4], [60, 10, 105], [150, 35, 105], [225, 85, 45], [250, 175, 20],
                 [252, 255, 164]], np.float64)


def region_around(box, points, aspect: float = 0.75, margin: float = 0.15,
                  least: float = 48) -> tuple:
    """An integer crop region (x0, y0, x1, y1) around `box` (x, y, w, h) and `points`
    ([N, 2], may be empty) with `margin` of its size on each side, at width / height
    `aspect`, at least `least` px tall (small people get some context)."""
    x, y, w, h = box
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    xs = np.concatenate([[x, x + w], pts[:, 0]])
    ys = np.concatenate([[y, y + h], pts[:, 1]])
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    height = max(least, (ys.max() - ys.min()) * (1 + 2 * margin),
                 (xs.max() - xs.min()) * (1 + 2 * margin) / aspect)
    width = height * aspect
    x0, y0 = int(round(cx - width / 2)), int(round(cy - height / 2))
    return x0, y0, x0 + int(round(width)), y0 + int(round(height))


class Crop:
    """`region` of `frame` (H x W x 3 uint8) enlarged to `height` px (bilinear; black
    outside the frame)."""

    def __init__(self, frame: np.ndarray, region: tuple, height: int = 160):
        self.region = region
        x0, y0, x1, y1 = region
        self.scale = height / (y1 - y0)
        size = (int(round((x1 - x0) * self.scale)), height)
        self.image = Image.fromarray(frame).crop(region).resize(size, Image.BILINEAR)

    def points(self, xy) -> np.ndarray:
        """Source-frame points [N, 2] in the crop's pixels (continuous)."""
        xy = np.asarray(xy, np.float64).reshape(-1, 2)
        return (xy - np.array(self.region[:2], np.float64)) * self.scale

    def rect(self, box) -> tuple:
        """A source-frame box (x1, y1, x2, y2) in the crop's pixels."""
        (a, b), (c, d) = self.points([box[:2], box[2:]])
        return a, b, c, d


def colormap(v: np.ndarray) -> np.ndarray:
    """Values 0..1 -> RGB floats 0..255 along RAMP."""
    t = np.clip(v, 0, 1) * (len(RAMP) - 1)
    i = np.minimum(t.astype(int), len(RAMP) - 2)
    f = (t - i)[..., None]
    return RAMP[i] * (1 - f) + RAMP[i + 1] * f


def overlay_heatmap(img: Image.Image, crop: Crop, probs: np.ndarray, box) -> float:
    """Paints the S x S map `probs` (softmax probabilities) over the source-frame RoI `box`
    (x1, y1, x2, y2) of `img` (a copy of crop.image): the map resized (bilinear) onto the
    RoI, divided by its peak, in RAMP's colours over the crop darkened to grey. Returns the
    peak probability (the colours are relative to it)."""
    peak = float(probs.max())
    a, b, c, d = crop.rect(box)
    w, h = img.size
    xs, ys = np.arange(w) + 0.5, np.arange(h) + 0.5
    s = probs.shape[0]
    # Map cell j spans [a + j (c - a) / S, a + (j + 1) (c - a) / S): sample at pixel centres.
    u = (xs - a) / max(c - a, 1e-6) * s - 0.5
    v = (ys - b) / max(d - b, 1e-6) * s - 0.5
    inside = ((xs >= a) & (xs < c))[None, :] & ((ys >= b) & (ys < d))[:, None]
    u0 = np.clip(np.floor(u).astype(int), 0, s - 1)
    v0 = np.clip(np.floor(v).astype(int), 0, s - 1)
    u1, v1 = np.minimum(u0 + 1, s - 1), np.minimum(v0 + 1, s - 1)
    fu = np.clip(u - u0, 0, 1)[None, :]
    fv = np.clip(v - v0, 0, 1)[:, None]
    p = probs.astype(np.float64)
    sampled = (p[v0][:, u0] * (1 - fu) * (1 - fv) + p[v0][:, u1] * fu * (1 - fv)
               + p[v1][:, u0] * (1 - fu) * fv + p[v1][:, u1] * fu * fv)
    rel = np.where(inside, sampled / max(peak, 1e-12), 0.0)
    base = np.asarray(img, np.float64).mean(-1, keepdims=True) * 0.4
    alpha = (np.sqrt(rel) * 0.9)[..., None]
    out = base * (1 - alpha) + colormap(rel) * alpha
    img.paste(Image.fromarray(np.round(out).astype(np.uint8)))
    ImageDraw.Draw(img).rectangle([a, b, c - 1, d - 1], outline=(120, 120, 120))
    return peak


def draw_skeleton(draw: ImageDraw.ImageDraw, pts: np.ndarray, labelled, colour,
                  width: int = 2, hollow=None) -> None:
    """The skeleton lines between labelled keypoints and a dot on each (hollow where
    `hollow` is set, e.g. the occluded ones)."""
    labelled = np.asarray(labelled, bool)
    hollow = np.zeros(len(pts), bool) if hollow is None else np.asarray(hollow, bool)
    for i, j in SKELETON:
        if labelled[i - 1] and labelled[j - 1]:
            draw.line([tuple(pts[i - 1]), tuple(pts[j - 1])], fill=colour, width=width)
    for k, (x, y) in enumerate(pts):
        if labelled[k]:
            draw.ellipse([x - 2.5, y - 2.5, x + 2.5, y + 2.5], outline=colour,
                         fill=None if hollow[k] else colour)


def draw_points(draw: ImageDraw.ImageDraw, pts: np.ndarray, colour) -> None:
    """Small dots with a dark rim (readable over a colormap)."""
    for x, y in pts:
        draw.ellipse([x - 2.5, y - 2.5, x + 2.5, y + 2.5], fill=colour, outline=(0, 0, 0))


def text_block(draw, xy, lines, fill=INK) -> None:
    for k, line in enumerate(lines):
        draw.text((xy[0], xy[1] + k * LINE), line, font=FONT, fill=fill)


def grid(rows: list, column_titles: list | None = None, row_titles: list | None = None,
         captions: list | None = None, gap: int = 6) -> Image.Image:
    """Panels (rows of PIL images; None leaves a hole) in a grid on white, with optional
    column titles (a list of line lists, above), row titles (line lists, on the left) and
    per-panel captions (rows of line lists, below each panel)."""
    cols = max(len(r) for r in rows)
    cell_w = max(p.size[0] for r in rows for p in r if p is not None)
    cell_h = max(p.size[1] for r in rows for p in r if p is not None)
    cap = max((len(c or []) for r in (captions or []) for c in r), default=0) * LINE
    top = max((len(t) for t in column_titles or []), default=0) * LINE
    left = max((len(line) for t in row_titles or [] for line in t), default=0) * 6
    left += gap if left else 0
    out_w = gap + left + cols * (cell_w + gap)
    out_h = gap + top + (gap if top else 0) + len(rows) * (cell_h + cap + gap)
    out = Image.new("RGB", (out_w, out_h), BACKGROUND)
    draw = ImageDraw.Draw(out)
    y0 = gap + top + (gap if top else 0)
    for c, title in enumerate(column_titles or []):
        text_block(draw, (gap + left + c * (cell_w + gap), gap), title)
    for r, row in enumerate(rows):
        y = y0 + r * (cell_h + cap + gap)
        if row_titles:
            text_block(draw, (gap, y + 2), row_titles[r])
        for c, panel in enumerate(row):
            x = gap + left + c * (cell_w + gap)
            if panel is not None:
                out.paste(panel, (x + (cell_w - panel.size[0]) // 2, y))
            if captions and captions[r][c]:
                text_block(draw, (x, y + cell_h + 1), captions[r][c])
    return out


def save_png(img: Image.Image, path: str, limit: int = 600_000) -> int:
    """Saves `img` as an optimised PNG, as 256 colours (median cut, deterministic) if the
    full-colour file is over `limit` bytes; returns the file's size."""
    img.save(path, "PNG", optimize=True)
    if os.path.getsize(path) > limit:
        img.quantize(256, method=Image.MEDIANCUT, dither=Image.NONE).save(path, "PNG",
                                                                           optimize=True)
    return os.path.getsize(path)


__all__ = ["Crop", "region_around", "colormap", "overlay_heatmap", "draw_skeleton",
           "draw_points", "grid", "save_png", "text_block", "GT_COLOUR", "PRED_COLOUR",
           "DECODED_COLOUR"]
