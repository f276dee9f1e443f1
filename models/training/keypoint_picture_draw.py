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
    RoI, divided by its peak, square-rooted (so the tails show), in RAMP's colours over the
    crop darkened to grey. Returns the
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
    rel = np.sqrt(np.where(inside, sampled / max(peak, 1e-12), 0.0))  # shows the tails
    base = np.asarray(img, np.float64).mean(-1, keepdims=True) * 0.5
    alpha = (np.minimum(1, rel * 1.5) * 0.9)[..., None]
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
    """Small rings (the heatmap's peak under a decoded keypoint stays visible)."""
    for x, y in pts:
        draw.ellipse([x - 3.5, y - 3.5, x + 3.5, y + 3.5], outline=colour)


def text_block(draw, xy, lines, fill=INK) -> None:
    for k, line in enumerate(lines):
        draw.text((xy[0], xy[1] + k * LINE), line, font=FONT, fill=fill)


def grid(rows: list, column_titles: list | None = None, row_titles: list | None = None,
         captions: list | None = None, gap: int = 8) -> Image.Image:
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


def short(v: float) -> str:
    """0.31 as ".31" (narrow captions); 1 as "1.00"."""
    return f"{v:.2f}".lstrip("0") if v < 1 else f"{v:.2f}"


def titled(img: Image.Image, lines: list, gap: int = 4) -> Image.Image:
    """`img` under a white strip with `lines` of text."""
    if not lines:
        return img
    top = len(lines) * LINE + gap
    width = max([img.size[0]] + [int(FONT.getlength(line)) + 2 * gap for line in lines])
    out = Image.new("RGB", (width, img.size[1] + top), BACKGROUND)
    out.paste(img, (0, top))
    text_block(ImageDraw.Draw(out), (gap, gap // 2), lines)
    return out


def person_crop(frame, person: dict, box=None, pred=None, height: int = 160) -> Crop:
    """The crop around a person's box, labelled keypoints and `box` (x1, y1, x2, y2)."""
    gt = person["keypoints"]
    points = gt[gt[:, 2] > 0, :2]
    if box is not None:
        points = np.concatenate([points, np.reshape(box, (2, 2))])
    return Crop(frame, region_around(person["bbox"], points), height)


def draw_truth(img: Image.Image, crop: Crop, person: dict) -> None:
    gt = person["keypoints"]
    draw_skeleton(ImageDraw.Draw(img), crop.points(gt[:, :2]), gt[:, 2] > 0, GT_COLOUR,
                  hollow=gt[:, 2] == 1)


def failures_picture(cases: list, frames: dict, causes: tuple, limit: int,
                     title: list) -> Image.Image:
    """Up to `limit` failure cases, round robin over `causes` (each cause that occurs at
    least once), the largest people first and distinct people while there are any: the
    truth in green (hollow: occluded), the prediction and its box in red, captioned."""
    by_cause = [sorted([p for p in cases if p["cause"] == c],
                       key=lambda p: (-p["size"], p["frame"], p["id"])) for c in causes]
    chosen, tracks = [], set()
    for distinct in (True, False):
        while len(chosen) < limit:
            before = len(chosen)
            for pool in by_cause:
                pick = next((p for p in pool if p not in chosen and
                             (not distinct or p["track"] not in tracks)), None)
                if pick is not None and len(chosen) < limit:
                    chosen.append(pick)
                    tracks.add(pick["track"])
            if len(chosen) == before:
                break
    chosen.sort(key=lambda p: (causes.index(p["cause"]), -p["size"], p["frame"], p["id"]))
    panels, captions = [], []
    for p in chosen:
        crop = person_crop(frames[p["frame"]], p, p["box"] if p["pred"] is not None
                           else p["near_box"])
        img = crop.image.copy()
        d = ImageDraw.Draw(img)
        draw_truth(img, crop, p)
        box, pred = (p["box"], p["pred"]) if p["pred"] is not None else (p["near_box"],
                                                                         p["near_pred"])
        if pred is not None:
            d.rectangle(crop.rect(box), outline=PRED_COLOUR)
            draw_skeleton(d, crop.points(pred), np.ones(17, bool), PRED_COLOUR, width=1)
        panels.append(img)
        if p["pred"] is not None:
            score = f"PCK {short(p['pck'])} swapped {short(p['pck_swapped'])}"
        elif p["near_box"] is not None:
            score = f"IoU {short(p['near_iou'])}, OKS {p['near_oks']:.3f}".replace(" 0.", " .")
        else:
            score = "no detection box"
        captions.append([p["cause"], f"frame {p['frame']} #{p['id']}", score,
                         f"{p['size']:.0f} px, {p['occluded_share']:.0%} occl."])
    if not panels:
        return titled(Image.new("RGB", (480, 40), BACKGROUND), title + ["no failure"])
    cols = min(4, len(panels))
    rows = [panels[k:k + cols] for k in range(0, len(panels), cols)]
    caps = [captions[k:k + cols] for k in range(0, len(captions), cols)]
    legend = ["green: ground truth (hollow: occluded), red: prediction and its box; PCK: "
              "PCK@0.1, swapped: with left/right exchanged"]
    return titled(grid(rows, captions=caps), title + legend)


def heatmap_panel(frame, crop: Crop, column: dict, box) -> Image.Image:
    img = crop.image.copy()
    d = ImageDraw.Draw(img)
    pts = crop.points(column["kps"])
    if column["probs"] is None:  # regression: the keypoints alone
        d.rectangle(crop.rect(box), outline=(150, 150, 150))
        draw_skeleton(d, pts, np.ones(17, bool), DECODED_COLOUR, width=1)
    else:
        overlay_heatmap(img, crop, column["probs"].max(0), box)
    draw_points(ImageDraw.Draw(img), pts, DECODED_COLOUR)
    return img


def heatmap_picture(rows: list) -> Image.Image:
    """One row per person: the crop with the truth, then each checkpoint's heatmap (max
    over the 17 softmax maps) and decoded keypoints on the same box."""
    panels, captions, row_titles = [], [], []
    for row in rows:
        p = row["person"]
        crop = person_crop(row["frame"], p, row["box"])
        truth = crop.image.copy()
        draw_truth(truth, crop, p)
        line, caps = [truth], [[]]
        for col in row["columns"]:
            line.append(heatmap_panel(row["frame"], crop, col, row["box"]))
            cap = [f"PCK@0.1 {col['pck']:.2f}"]
            if col["probs"] is not None:
                cap.append(f"peak {col['probs'].reshape(17, -1).max(1).mean():.3f}")
            caps.append(cap)
        panels.append(line)
        captions.append(caps)
        row_titles.append([f"frame {p['frame']}", f"#{p['id']}", f"{p['size']:.0f} px",
                           f"{p['occluded']} of {p['labelled']}", "occluded"]
                          + (["(true box)"] if row["from_gt"] else []))
    columns = [["ground truth"]] + [[c["name"], f"step {c['step']}"]
                                    for c in rows[0]["columns"]]
    title = ["each head on the same detected box: its softmax maps, the max over the 17",
             "keypoints, colours relative to the panel's peak; cyan: decoded keypoints;",
             "green: ground truth (hollow: occluded); peak: the mean over the 17 maps",
             "of their largest probability"]
    return titled(grid(panels, columns, row_titles, captions), title)


def per_keypoint_picture(row: dict, which: int) -> Image.Image:
    """The 17 softmax maps of column `which` for one person, one panel each (colours
    relative to each map's peak), with the true (green) and decoded (cyan) keypoint."""
    from pose_skeleton import KEYPOINTS

    p, col = row["person"], row["columns"][which]
    crop = person_crop(row["frame"], p, row["box"], height=120)
    truth = crop.image.copy()
    draw_truth(truth, crop, p)
    panels = [titled(truth, ["ground truth", f"frame {p['frame']} #{p['id']}"])]
    gt = crop.points(p["keypoints"][:, :2])
    pts = crop.points(col["kps"])
    for k, name in enumerate(KEYPOINTS):
        img = crop.image.copy()
        peak = overlay_heatmap(img, crop, col["probs"][k], row["box"])
        d = ImageDraw.Draw(img)
        if p["keypoints"][k, 2] > 0:
            x, y = gt[k]
            hollow = p["keypoints"][k, 2] == 1
            d.ellipse([x - 3, y - 3, x + 3, y + 3], outline=GT_COLOUR,
                      fill=None if hollow else GT_COLOUR)
        draw_points(d, pts[k:k + 1], DECODED_COLOUR)
        panels.append(titled(img, [name, f"peak {peak:.3f}"]))
    rows = [panels[k:k + 6] for k in range(0, len(panels), 6)]
    title = [f"{col['name']} (step {col['step']}): the softmax map of each keypoint, colours "
             "relative to its peak;", "green: ground truth (hollow: occluded), cyan: decoded"]
    return titled(grid(rows), title)


__all__ = ["failures_picture", "heatmap_picture", "per_keypoint_picture", "titled",
           "person_crop", "Crop", "region_around", "colormap", "overlay_heatmap", "draw_skeleton",
           "draw_points", "grid", "save_png", "text_block", "GT_COLOUR", "PRED_COLOUR",
           "DECODED_COLOUR"]
