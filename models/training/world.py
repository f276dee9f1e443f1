"""A deterministic, seeded generator of street-like scenes.

Every scene has four "stuff" regions (sky, building, road, grass) and "things" of four
classes (car, person, bicycle, sign) at perspective-dependent sizes (small < 32², medium,
large), with varied colours, textures, occlusion, and motion across the frames of a
sequence. A frame renders to an RGB image, a per-pixel instance id map (0 = no thing) and
a stuff label map; `ground_truth()` turns those into COCO instances and panoptic
segments.

Example:
    seq = Sequence(seed=7, width=640, height=360)
    frame = seq.render(0)          # Frame(image, instance_ids, stuff, instances)
    frame.image.shape              # (360, 640, 3) uint8

Only numpy and Pillow are needed (Debian: python3-numpy, python3-pil).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

# Category ids: things first, then stuff. The semantic head predicts SEMANTIC_CLASSES:
# index 0 is "things" (all thing pixels, as detectron2's Panoptic FPN), then the stuff.
THINGS = [(1, "car"), (2, "person"), (3, "bicycle"), (4, "sign")]
STUFF = [(5, "sky"), (6, "building"), (7, "road"), (8, "grass")]
CATEGORIES = [
    {"id": i, "name": n, "isthing": 1, "supercategory": "thing"} for i, n in THINGS
] + [{"id": i, "name": n, "isthing": 0, "supercategory": "stuff"} for i, n in STUFF]
SEMANTIC_CLASSES = [0] + [i for i, _ in STUFF]
SKY, BUILDING, ROAD, GRASS = (i for i, _ in STUFF)
CAR, PERSON, BICYCLE, SIGN = (i for i, _ in THINGS)

# Drawing colours for viewers (RGB), by category id.
COLOURS = {
    CAR: (230, 60, 60), PERSON: (250, 200, 40), BICYCLE: (60, 200, 230), SIGN: (200, 80, 220),
    SKY: (110, 160, 230), BUILDING: (150, 120, 100), ROAD: (90, 90, 90), GRASS: (80, 170, 70),
}

# An instance less visible than this is marked crowd (ignored by COCO eval and PQ).
MIN_VISIBLE_PIXELS = 24
MIN_VISIBLE_FRACTION = 0.2


@dataclass
class Thing:
    """One moving object: its ground anchor (x, y at the base), velocity, look."""

    category: int
    x: float
    y: float
    vx: float
    vy: float
    colour: tuple
    variant: int
    size_jitter: float
    facing: int


@dataclass
class Instance:
    """A rendered instance: id in the id map, category, visible pixels, crowd flag."""

    id: int
    category: int
    area: int
    bbox: list  # x, y, w, h of the visible pixels (COCO)
    iscrowd: int


@dataclass
class Frame:
    image: np.ndarray  # H x W x 3 uint8
    instance_ids: np.ndarray  # H x W int32, 0 = no thing, else Instance.id
    stuff: np.ndarray  # H x W uint8 stuff category id under the things
    instances: list = field(default_factory=list)

    def semantic(self) -> np.ndarray:
        """Semantic training target: index into SEMANTIC_CLASSES (0 = things)."""
        lut = np.zeros(256, np.uint8)
        for k, c in enumerate(SEMANTIC_CLASSES):
            if c:
                lut[c] = k
        out = lut[self.stuff]
        out[self.instance_ids > 0] = 0
        return out


def _jitter(rng, colour, amount):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)


class Sequence:
    """A camera looking at one street; `render(t)` draws frame t of it.

    The layout (horizon, road, buildings, lighting) is fixed per sequence; things move
    with constant velocities, and those that leave the view come back from the other
    side, so a sequence of any length keeps its objects.
    """

    def __init__(self, seed: int, width: int = 640, height: int = 360, things: int | None = None):
        self.seed = seed
        self.width = width
        self.height = height
        rng = np.random.default_rng(seed)
        self.rng_seed = int(rng.integers(1 << 31))
        W, H = width, height
        self.horizon = float(rng.uniform(0.28, 0.45) * H)
        self.vanish_x = float(rng.uniform(0.3, 0.7) * W)
        self.road_bottom = (float(rng.uniform(-0.25, 0.25) * W), float(rng.uniform(0.75, 1.25) * W))
        self.road_top_half = float(rng.uniform(0.02, 0.06) * W)
        self.sky_top = _jitter(rng, (70, 120, 200), 30)
        self.sky_bottom = _jitter(rng, (180, 210, 240), 20)
        self.clouds = [
            (rng.uniform(0, W), rng.uniform(0, self.horizon * 0.7), rng.uniform(20, 80) * W / 640,
             rng.uniform(6, 20) * W / 640)
            for _ in range(int(rng.integers(0, 5)))
        ]
        self.grass = _jitter(rng, (70, 140, 60), 25)
        self.road = _jitter(rng, (95, 95, 100), 20)
        self.buildings = []
        x = -rng.uniform(0, 40)
        while x < W:
            w = rng.uniform(40, 140) * W / 640
            if rng.random() < 0.85:
                h = rng.uniform(0.08, 0.3) * H
                base = _jitter(rng, [(150, 140, 130), (170, 120, 90), (120, 120, 135),
                                     (200, 190, 160)][int(rng.integers(4))], 25)
                self.buildings.append((x, w, h, base, int(rng.integers(2, 6)),
                                       int(rng.integers(1, 4))))
            x += w + rng.uniform(0, 20)
        self.light = float(rng.uniform(0.75, 1.2))
        self.noise = float(rng.uniform(3, 9))
        n = int(things if things is not None else rng.integers(4, 16))
        self.things = [self._spawn(rng) for _ in range(n)]

    def _scale(self, y):
        """Pixels per world unit at ground row y (0 at the horizon)."""
        return max(0.0, (y - self.horizon) / (self.height - self.horizon))

    def _road_x(self, y):
        s = self._scale(y)
        left = self.vanish_x - self.road_top_half + s * (self.road_bottom[0] - self.vanish_x
                                                         + self.road_top_half)
        right = self.vanish_x + self.road_top_half + s * (self.road_bottom[1] - self.vanish_x
                                                          - self.road_top_half)
        return left, right

    def _spawn(self, rng) -> Thing:
        W, H = self.width, self.height
        category = int(rng.choice([CAR, PERSON, BICYCLE, SIGN], p=[0.35, 0.3, 0.15, 0.2]))
        # Ground row: uniform in depth-ish so small and large both appear.
        y = self.horizon + (H * 1.05 - self.horizon) * float(rng.uniform(0.08, 1.0) ** 0.8)
        left, right = self._road_x(y)
        if category == CAR:
            x = float(rng.uniform(left, right))
        elif category == SIGN:
            x = float(left - rng.uniform(5, 40) if rng.random() < 0.5 else right + rng.uniform(5, 40))
        else:
            x = float(rng.uniform(-0.05 * W, 1.05 * W))
        speed = {CAR: 6.0, PERSON: 1.2, BICYCLE: 3.0, SIGN: 0.0}[category]
        s = self._scale(y)
        vx = float(rng.normal(0, speed) * s * W / 640)
        vy = float(rng.normal(0, speed * 0.3) * s) if category != SIGN else 0.0
        palette = {
            CAR: [(200, 30, 30), (30, 60, 180), (230, 230, 230), (30, 30, 30), (200, 180, 40),
                  (40, 140, 60), (150, 150, 160)],
            PERSON: [(200, 60, 60), (60, 60, 200), (40, 40, 40), (230, 200, 60), (200, 200, 200),
                     (150, 80, 160)],
            BICYCLE: [(20, 20, 20), (200, 40, 40), (40, 40, 200), (220, 220, 220)],
            SIGN: [(200, 20, 20), (230, 200, 30), (30, 80, 200), (240, 240, 240)],
        }[category]
        colour = _jitter(rng, palette[int(rng.integers(len(palette)))], 25)
        return Thing(category, x, y, vx, vy, colour, int(rng.integers(3)),
                     float(rng.uniform(0.8, 1.25)), 1 if rng.random() < 0.5 else -1)

    # ---------------------------------------------------------------- drawing

    def _thing_shapes(self, t: Thing, x: float, y: float):
        """Polygons/ellipses of one thing as (kind, coords, rgb) in drawing order."""
        s = self._scale(y) * t.size_jitter * self.width / 640
        out = []
        if t.category == CAR:
            w, h = 190 * s, 80 * s
            body = [x - w / 2, y - h * 0.62, x + w / 2, y - h * 0.12]
            cabin = [(x - w * 0.3, y - h * 0.62), (x - w * 0.18, y - h), (x + w * 0.22, y - h),
                     (x + w * 0.36, y - h * 0.62)]
            if t.variant == 1:  # van: tall box
                cabin = [(x - w * 0.45, y - h * 0.62), (x - w * 0.45, y - h * 1.15),
                         (x + w * 0.3, y - h * 1.15), (x + w * 0.42, y - h * 0.62)]
            out.append(("polygon", cabin, t.colour))
            out.append(("rectangle", body, t.colour))
            glass = (150, 190, 220) if t.variant != 2 else (60, 70, 80)
            win = [(p[0] * 0.8 + x * 0.2, p[1] * 0.8 + (y - h * 0.62) * 0.2) for p in cabin]
            out.append(("polygon", win, glass))
            r = h * 0.2
            for wx in (x - w * 0.3, x + w * 0.3):
                out.append(("ellipse", [wx - r, y - r * 2, wx + r, y], (25, 25, 25)))
        elif t.category == PERSON:
            h = 110 * s
            w = h * 0.28
            head = h * 0.13
            out.append(("ellipse", [x - head / 2, y - h, x + head / 2, y - h + head],
                        (225, 185, 150) if t.variant != 1 else (140, 95, 60)))
            out.append(("rectangle", [x - w / 2, y - h + head, x + w / 2, y - h * 0.45], t.colour))
            legs = (40, 40, 90) if t.variant != 2 else (30, 30, 30)
            out.append(("polygon", [(x - w / 2, y - h * 0.45), (x + w / 2, y - h * 0.45),
                                    (x + w * 0.45, y), (x + w * 0.1, y), (x, y - h * 0.25),
                                    (x - w * 0.1, y), (x - w * 0.45, y)], legs))
        elif t.category == BICYCLE:
            # Solid: disc wheels and a filled frame. (Wire-frame bicycles of 1-2 px lines
            # cannot be represented by 28x28 RoI masks: their mask AP was 0.02.)
            h = 70 * s
            r = h * 0.3
            lw = max(2, int(round(h * 0.09)))
            c1, c2 = (x - h * 0.42, y - r), (x + h * 0.42, y - r)
            top = (x + h * 0.02, y - h * 0.82)
            out.append(("polygon", [c1, top, c2, (x, y - r * 0.6)], t.colour))
            for cx, cy in (c1, c2):
                out.append(("ellipse", [cx - r, cy - r, cx + r, cy + r], (25, 25, 25)))
                out.append(("ellipse", [cx - r * 0.35, cy - r * 0.35, cx + r * 0.35, cy + r * 0.35],
                            (170, 170, 170)))
            out.append(("line", [(x + h * 0.1, y - h * 0.88), (x + h * 0.32, y - h * 0.88)],
                        (30, 30, 30), lw))
            out.append(("line", [(x - h * 0.12, y - h * 0.9), (x + h * 0.02, y - h * 0.9)],
                        (30, 30, 30), lw))
        else:  # SIGN
            h = 120 * s
            pole = max(1.0, h * 0.04)
            out.append(("rectangle", [x - pole, y - h * 0.7, x + pole, y], (120, 120, 120)))
            r = h * 0.17
            cx, cy = x, y - h * 0.7 - r
            if t.variant == 0:  # octagon
                pts = [(cx + r * math.cos(math.pi / 8 + k * math.pi / 4),
                        cy + r * math.sin(math.pi / 8 + k * math.pi / 4)) for k in range(8)]
                out.append(("polygon", pts, t.colour))
            elif t.variant == 1:  # triangle
                out.append(("polygon", [(cx, cy - r), (cx + r * 1.1, cy + r * 0.8),
                                        (cx - r * 1.1, cy + r * 0.8)], t.colour))
            else:  # rectangle
                out.append(("rectangle", [cx - r * 1.2, cy - r * 0.8, cx + r * 1.2, cy + r * 0.8],
                            t.colour))
            out.append(("ellipse", [cx - r * 0.35, cy - r * 0.35, cx + r * 0.35, cy + r * 0.35],
                        (250, 250, 250)))
        return out

    def _draw(self, draw_rgb, draw_id, shapes, inst_id):
        for shape in shapes:
            kind, coords, colour = shape[0], shape[1], shape[2]
            if kind == "polygon":
                draw_rgb.polygon(coords, fill=colour)
                draw_id.polygon(coords, fill=inst_id)
            elif kind == "rectangle":
                draw_rgb.rectangle(coords, fill=colour)
                draw_id.rectangle(coords, fill=inst_id)
            elif kind == "ellipse":
                draw_rgb.ellipse(coords, fill=colour)
                draw_id.ellipse(coords, fill=inst_id)
            elif kind == "ring":
                draw_rgb.ellipse(coords, outline=colour, width=shape[3])
                draw_id.ellipse(coords, outline=inst_id, width=shape[3])
            elif kind == "line":
                draw_rgb.line(coords, fill=colour, width=shape[3], joint="curve")
                draw_id.line(coords, fill=inst_id, width=shape[3], joint="curve")

    def _background(self, rng):
        W, H = self.width, self.height
        hz = int(round(self.horizon))
        img = np.zeros((H, W, 3), np.float32)
        stuff = np.full((H, W), GRASS, np.uint8)
        ys = np.arange(H, dtype=np.float32)[:, None]
        a = np.clip(ys / max(1, hz), 0, 1)
        sky = (1 - a) * np.array(self.sky_top, np.float32) + a * np.array(self.sky_bottom,
                                                                            np.float32)
        img[:hz] = sky[:hz, None, :]
        stuff[:hz] = SKY
        # Grass with stripes.
        gy = ys[hz:] - hz
        stripes = 12 * np.sin(gy * 0.35 + np.arange(W)[None, :] * 0.02)
        img[hz:] = np.array(self.grass, np.float32) + stripes[..., None] * np.array([0.3, 1, 0.3])
        pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        lab = Image.fromarray(stuff)
        d, dl = ImageDraw.Draw(pil), ImageDraw.Draw(lab)
        for cx, cy, rx, ry in self.clouds:
            d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=(240, 240, 245))
        # Road trapezoid and lane markings.
        l0, r0 = self._road_x(self.horizon)
        l1, r1 = self._road_x(H * 1.2)
        road = [(l0, hz), (r0, hz), (r1, H * 1.2), (l1, H * 1.2)]
        d.polygon(road, fill=self.road)
        dl.polygon(road, fill=ROAD)
        for k in range(14):
            y0 = self.horizon + (H - self.horizon) * (k / 14) ** 1.6
            y1 = self.horizon + (H - self.horizon) * ((k + 0.5) / 14) ** 1.6
            (a0, b0), (a1, b1) = self._road_x(y0), self._road_x(y1)
            m0, m1 = (a0 + b0) / 2, (a1 + b1) / 2
            w0, w1 = 1 + 4 * self._scale(y0), 1 + 4 * self._scale(y1)
            d.polygon([(m0 - w0, y0), (m0 + w0, y0), (m1 + w1, y1), (m1 - w1, y1)],
                      fill=(235, 235, 225))
        # Buildings on the horizon with windows.
        for bx, bw, bh, base, cols, rows_per in self.buildings:
            top = hz - bh
            box = [bx, top, bx + bw, hz + 2]
            d.rectangle(box, fill=base)
            dl.rectangle(box, fill=BUILDING)
            ww = bw / (cols * 2 + 1)
            rows = max(1, int(bh / (ww * 2.2)))
            for i in range(cols):
                for j in range(rows):
                    wx = bx + ww * (2 * i + 1)
                    wy = top + (bh / rows) * j + ww * 0.5
                    d.rectangle([wx, wy, wx + ww, wy + ww * 1.2], fill=_jitter(rng, (60, 70, 90), 20))
        return np.asarray(pil, np.float32).copy(), np.asarray(lab).copy()

    def positions(self, t: int):
        """Ground anchors of the things at frame t (wrapping around the view)."""
        W = self.width
        out = []
        for th in self.things:
            y = th.y + th.vy * t
            lo, hi = self.horizon + 4, self.height * 1.1
            span = hi - lo
            y = lo + (y - lo) % span if span > 0 else y
            x = th.x + th.vx * t
            x = -0.15 * W + (x + 0.15 * W) % (1.3 * W)
            out.append((x, y))
        return out

    def render(self, t: int) -> Frame:
        rng = np.random.default_rng((self.rng_seed, t))
        if getattr(self, "_bg", None) is None:
            self._bg = self._background(np.random.default_rng(self.rng_seed))
        img, stuff = self._bg
        W, H = self.width, self.height
        pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        ids = Image.new("I", (W, H), 0)
        d, di = ImageDraw.Draw(pil), ImageDraw.Draw(ids)
        pos = self.positions(t)
        order = sorted(range(len(self.things)), key=lambda k: pos[k][1])  # far first
        full_area = {}
        for k in order:
            th = self.things[k]
            x, y = pos[k]
            shapes = self._thing_shapes(th, x, y)
            solo = Image.new("L", (W, H), 0)
            self._draw(ImageDraw.Draw(Image.new("RGB", (1, 1))), ImageDraw.Draw(solo), shapes, 1)
            full_area[k + 1] = int(np.count_nonzero(np.asarray(solo)))
            self._draw(d, di, shapes, k + 1)
        image = np.asarray(pil, np.float32)
        # Lighting, texture noise and a little blur-free grain.
        image = image * self.light + rng.normal(0, self.noise, image.shape).astype(np.float32)
        image = np.clip(image, 0, 255).astype(np.uint8)
        id_map = np.asarray(ids, np.int32).copy()
        instances = []
        counts = np.bincount(id_map.ravel(), minlength=len(self.things) + 1)
        for k in range(len(self.things)):
            iid = k + 1
            area = int(counts[iid])
            if area == 0:
                continue
            ys, xs = np.nonzero(id_map == iid)
            x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
            crowd = int(area < MIN_VISIBLE_PIXELS or area < MIN_VISIBLE_FRACTION * full_area[iid])
            instances.append(Instance(iid, self.things[k].category, area,
                                      [x0, y0, x1 - x0, y1 - y0], crowd))
        return Frame(image, id_map, stuff.copy(), instances)
