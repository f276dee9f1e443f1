"""The drawing of fpn_pictures.py (numpy and PIL only): a frame and its FPN levels' activation
maps side by side, each map nearest-upsampled to the frame by its stride and colour-mapped,
the ground-truth boxes outlined in a colour per COCO size class, a legend under the grid.
The colormap, grid and PNG writing are keypoint_picture_draw.py's.

Coordinates: frame pixels are COCO's continuous ones (pixel i covers [i, i + 1)); a level
of stride s covers the model input with cells [s j, s (j + 1)) (torchvision's P6, a
stride-2 subsampling of P5, overhangs the 288-px input: its last row covers 256..288 only).

Example:
    shown = [(196, image, [(4, p2_map), (8, p3_map), ...])]   # per frame: index, image, maps
    picture, ranges = study_picture(shown, anns, (288, 512), 256, "abs", "shared",
                                    "FPN activation per level: fcos", [])
    save_png(picture, "/tmp/fpn-fcos.png", limit=400_000)
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from keypoint_picture_draw import BACKGROUND, FONT, LINE, colormap, grid, save_png, text_block

SIZE_CLASSES = ("small", "medium", "large")
# Outline colours per COCO size class, each with a black halo (readable on sky, grass and
# every colour of the ramp): cyan, lime, white.
SIZE_COLOURS = {"small": (0, 225, 255), "medium": (140, 255, 40), "large": (255, 255, 255)}
HALO = (0, 0, 0)


def size_class(area: float) -> str:
    """COCO's area class: small < 32^2 <= medium < 96^2 <= large.

    Example:
        size_class(1000)  # "small"
    """
    return "small" if area < 32 ** 2 else "medium" if area < 96 ** 2 else "large"


def level_name(stride: int) -> str:
    """"P3" for stride 8.

    Example:
        level_name(64)  # "P6"
    """
    return f"P{int(math.log2(stride))}"


def frame_panel(image: np.ndarray, width: int) -> Image.Image:
    """The frame (H x W x 3 uint8) scaled to `width` px wide (Lanczos)."""
    h, w = image.shape[:2]
    return Image.fromarray(image).resize((width, round(h * width / w)), Image.LANCZOS)


def upsample(act: np.ndarray, stride: int, input_size: tuple, width: int) -> np.ndarray:
    """A level's map `act` [h, w] at panel resolution (`width` px wide, the input's aspect):
    each panel pixel takes the cell its centre falls in (nearest, by the stride)."""
    in_h, in_w = input_size
    height = round(in_h * width / in_w)
    xs = (np.arange(width) + 0.5) * in_w / width
    ys = (np.arange(height) + 0.5) * in_h / height
    cols = np.minimum((xs // stride).astype(int), act.shape[1] - 1)
    rows = np.minimum((ys // stride).astype(int), act.shape[0] - 1)
    return act[rows][:, cols]


def level_panel(act: np.ndarray, stride: int, input_size: tuple, lo: float, hi: float,
                width: int) -> Image.Image:
    """A level's map as a panel (`upsample`), the value mapped lo..hi -> 0..1 along the
    ramp (clipped)."""
    v = (upsample(act, stride, input_size, width) - lo) / max(hi - lo, 1e-12)
    return Image.fromarray(np.round(colormap(v)).astype(np.uint8))


def outline_boxes(panel: Image.Image, boxes, classes, scale: float) -> None:
    """Outlines COCO boxes (x, y, w, h in frame pixels) on `panel` (frame scaled by
    `scale`), larger boxes first so small ones stay on top; a black halo under each."""
    draw = ImageDraw.Draw(panel)
    order = sorted(range(len(boxes)), key=lambda k: -boxes[k][2] * boxes[k][3])
    for k in order:
        x, y, w, h = (v * scale for v in boxes[k])
        rect = [x, y, x + max(w, 1) - 1, y + max(h, 1) - 1]
        draw.rectangle([rect[0] - 1, rect[1] - 1, rect[2] + 1, rect[3] + 1], outline=HALO,
                       width=3)
        draw.rectangle(rect, outline=SIZE_COLOURS[classes[k]], width=1)


def legend(width: int, lines: list, value_range: tuple) -> Image.Image:
    """The legend strip: the box colours, the ramp with its value range, then `lines`."""
    gap = 8
    out = Image.new("RGB", (width, gap + 2 * (LINE + 6) + len(lines) * LINE + gap), BACKGROUND)
    draw = ImageDraw.Draw(out)
    x, y = gap, gap
    draw.text((x, y), "boxes (COCO area at 640x360):", font=FONT, fill=(20, 20, 20))
    x += int(FONT.getlength("boxes (COCO area at 640x360):")) + 10
    for name, label in zip(SIZE_CLASSES, ("small < 32^2", "medium < 96^2", "large")):
        draw.rectangle([x - 1, y - 1, x + 23, y + 10], outline=HALO, width=3)
        draw.rectangle([x, y, x + 22, y + 9], outline=SIZE_COLOURS[name], width=1)
        draw.text((x + 28, y), label, font=FONT, fill=(20, 20, 20))
        x += 28 + int(FONT.getlength(label)) + 16
    y += LINE + 6
    lo, hi = value_range
    draw.text((gap, y), f"colour: {lo:.3g}", font=FONT, fill=(20, 20, 20))
    x = gap + int(FONT.getlength(f"colour: {lo:.3g}")) + 6
    ramp = np.round(colormap(np.linspace(0, 1, 200))).astype(np.uint8)[None].repeat(10, 0)
    out.paste(Image.fromarray(ramp), (x, y))
    draw.text((x + 206, y), f"{hi:.3g} (clipped beyond)", font=FONT, fill=(20, 20, 20))
    text_block(draw, (gap, y + LINE + 6), lines)
    return out


def fpn_picture(rows: list, column_titles: list, row_titles: list, title: list,
                legend_lines: list, value_range: tuple) -> Image.Image:
    """The grid of panels (rows of PIL images) with its titles, a title strip above and
    the legend below."""
    body = grid(rows, column_titles, row_titles)
    top = Image.new("RGB", (body.size[0], 8 + len(title) * LINE), BACKGROUND)
    text_block(ImageDraw.Draw(top), (8, 6), title)
    foot = legend(body.size[0], legend_lines, value_range)
    out = Image.new("RGB", (body.size[0], top.size[1] + body.size[1] + foot.size[1]),
                    BACKGROUND)
    out.paste(top, (0, 0))
    out.paste(body, (0, top.size[1]))
    out.paste(foot, (0, top.size[1] + body.size[1]))
    return out


STATS = {"abs": "mean |x| over the 64 channels", "relu": "mean max(x, 0) over the 64 channels",
         "mean": "mean x over the 64 channels (signed)"}


def study_picture(shown: list, anns: dict, size: tuple, width: int, stat: str, norm: str,
                  header: str, notes: list) -> tuple:
    """The picture of fpn_pictures.py and each level's colour range (lo, hi): `shown` is
    [(frame index, image H x W x 3, [(stride, map [h, w])] per level)], `anns` the demo's
    annotations per frame index (crowd ones are not drawn), `size` the model input (H, W),
    `stat` / `norm` fpn_pictures.py's options, `header` the first title line, `notes`
    extra legend lines."""
    levels = [(s, m.shape) for s, m in shown[0][2]]
    pixels = [np.concatenate([upsample(maps[k][1], s, size, width).ravel()
                              for _, _, maps in shown]) for k, (s, _) in enumerate(levels)]
    if norm == "shared":
        ranges = [tuple(np.percentile(np.concatenate(pixels), (1, 99)))] * len(levels)
    else:
        ranges = [tuple(np.percentile(p, (1, 99))) for p in pixels]
    rows, row_titles = [], []
    for f, image, maps in shown:
        good = [a for a in anns[f] if not a["iscrowd"]]
        boxes = [a["bbox"] for a in good]
        classes = [size_class(a["area"]) for a in good]
        row = [frame_panel(image, width)]
        row += [level_panel(act, s, size, lo, hi, width)
                for (s, act), (lo, hi) in zip(maps, ranges)]
        for p in row:
            outline_boxes(p, boxes, classes, width / image.shape[1])
        rows.append(row)
        row_titles.append([f"frame {f}"] + [f"{classes.count(c)} {c}" for c in SIZE_CLASSES])
    h, w = shown[0][1].shape[:2]
    cols = [[f"frame ({w}x{h})"]] + [[f"{level_name(s)}  stride {s}", f"{a}x{b} cells"]
                                     for s, (a, b) in levels]
    title = [header, f"map: {STATS[stat]} per cell, upsampled to the frame by its stride "
                     f"(nearest)"]
    if norm == "shared":
        lines = ["colours: one range for every panel, the 1st..99th percentile of all levels' "
                 "panel pixels over these frames (levels compare)"]
        value_range = ranges[0]
    else:
        lines = ["colours: each level (column) its own 1st..99th percentile over these frames "
                 "(levels do not compare); the bar is 0..1 of each range:",
                 ", ".join(f"{level_name(s)} {lo:.3g}..{hi:.3g}"
                           for (s, _), (lo, hi) in zip(levels, ranges))]
        value_range = (0.0, 1.0)
    return fpn_picture(rows, cols, row_titles, title, lines + notes, value_range), ranges


__all__ = ["SIZE_CLASSES", "SIZE_COLOURS", "size_class", "level_name", "study_picture",
           "frame_panel", "upsample", "level_panel", "outline_boxes", "legend", "fpn_picture",
           "save_png"]
