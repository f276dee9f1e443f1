"""A deterministic, seeded plaza with articulated walking people and their COCO keypoints.

The camera looks over a paved plaza (sky and buildings come from world.py's street
backdrop) from 1.6-3.4 m up. People of varied height, build and clothes walk at constant
velocity in varied directions: towards the camera, away from it (their left and right then
swap sides in the image), across; a few stand, wave or point. Legs and arms swing with the
phase of the walk. Perspective gives small far people and large near ones, whose feet may
leave the frame. Pillars, lamp posts, benches and planters occlude the people behind them,
and people occlude each other. A frame renders to an RGB image, a per-pixel instance map of
the people, and per person: the bbox and area of the visible pixels, the fraction of the
person that is visible, and the 17 COCO keypoints (pose_skeleton.KEYPOINTS order) with
visibility 2 (visible), 1 (inside the frame but hidden: behind another person, an object or
the person's own body, e.g. the eyes of someone seen from behind) or 0 (outside the frame;
x = y = 0, as COCO writes unlabelled keypoints).

Coordinates are COCO's: continuous, pixel (i, j) covers [i, i + 1) x [j, j + 1), so a joint
drawn by PIL at (x, y) has the keypoint (x + 0.5, y + 0.5).

Example:
    plaza = PlazaSequence(seed=31, people=20)
    frame = plaza.render(0)      # PoseFrame(image, instance_ids, people)
    frame.people[0].keypoints    # [17, 3] float32: x, y, v

Only numpy and Pillow are needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from pose_draw import PARTS_PER_ID, TORSO, Look, draw_shapes, person_shapes
from pose_mix import POSE_MIX, check_pose_mix
from pose_objects import OBJECT_ID_BASE, paving, prop_shapes, random_prop
from pose_skeleton import KEYPOINTS, REACH, STAND, WALK, WAVE, Body, body_points, project
from world import Sequence, _jitter

# Parts whose top-most pixel at a keypoint makes it visible (pose_draw.PARTS indices).
OWNERS = [{1}] * 5 + [{0, 4}, {0, 2}, {4, 5}, {2, 3}, {5}, {3}, {0, 8}, {0, 6}, {8, 9}, {6, 7},
                      {9}, {7}]
FACE = 5  # keypoints 0-4 are on the head
# Depth towards the camera (height units, from the head's centre for the face) below which a
# keypoint is behind its own head / torso.
FACE_FRONT = [0.012, 0.012, 0.012, -0.025, -0.025]
TORSO_BACK = -0.055


@dataclass
class Walker:
    """One person: start on the ground (X, D metres), depth band, heading, speed, look."""

    X: float
    D: float
    band: tuple  # depth range they walk in (metres); they turn round at its ends
    heading: float  # direction of motion, 0 = towards the camera, pi/2 = to the right
    speed: float  # m/s, 0 = standing
    height: float  # metres
    body: Body
    look: Look
    pose: int
    phase0: float


@dataclass
class PersonInstance:
    """A rendered person: id in the id map, track id (1-based walker index), visible bbox
    (x, y, w, h, COCO), visible area, visible fraction, keypoints [17, 3] (x, y, v)."""

    id: int
    track_id: int
    bbox: list
    area: int
    visible_fraction: float
    keypoints: np.ndarray

    @property
    def num_keypoints(self) -> int:
        return int(np.count_nonzero(self.keypoints[:, 2] > 0))


@dataclass
class PoseFrame:
    image: np.ndarray  # H x W x 3 uint8
    instance_ids: np.ndarray  # H x W int32, 0 = not a person, else PersonInstance.id
    people: list = field(default_factory=list)


SKINS = [(241, 200, 170), (225, 180, 140), (190, 140, 100), (140, 95, 60), (95, 65, 45)]
HAIRS = [(30, 25, 20), (70, 45, 25), (150, 110, 60), (200, 170, 110), (120, 120, 120)]
CLOTHES = [(200, 50, 50), (50, 70, 180), (40, 40, 40), (230, 200, 60), (220, 220, 220),
           (150, 80, 160), (60, 150, 80), (240, 130, 40), (90, 60, 40), (100, 170, 200)]


class PlazaSequence:
    """A camera over one plaza; `render(t)` draws frame t (any t, in any order)."""

    def __init__(self, seed: int, width: int = 640, height: int = 360, people: int | None = None,
                 fps: float = 15.0, pose_mix: tuple | None = None, near: float = 0.0):
        self.seed, self.width, self.height, self.fps = seed, width, height, fps
        # The share of people placed near the camera (large, often cut by the frame's edge
        # and overlapping): 0 for the demo and the validation plazas, whose draws it leaves
        # as they were; a training set may lean on such people.
        self.near = float(near)
        # The shares of walking, standing, waving and reaching people: the default is the
        # demo's and the validation plazas'; a training set may lean on rarer poses.
        self.pose_mix = POSE_MIX if pose_mix is None else check_pose_mix(pose_mix)
        rng = np.random.default_rng(seed)
        self.rng_seed = int(rng.integers(1 << 31))
        W, H = width, height
        self.horizon = float(rng.uniform(0.2, 0.38) * H)
        self.focal = W / (2 * math.tan(math.radians(float(rng.uniform(50, 75))) / 2))
        self.cam_height = float(rng.uniform(1.6, 3.4))
        # Depths where the ground is at the frame's bottom, and far limits.
        self.d_bottom = self.focal * self.cam_height / (H - self.horizon)
        self.d_near = self.focal * self.cam_height / (1.5 * H - self.horizon)
        self.d_far = self.focal * self.cam_height / max(6.0, 0.06 * (H - self.horizon))
        self.half_view = W / 2 / self.focal  # tan of the half field of view
        self.light = float(rng.uniform(0.8, 1.15))
        self.noise = float(rng.uniform(2, 6))
        self.paving = _jitter(rng, [(185, 175, 160), (160, 150, 140), (200, 190, 170),
                                    (150, 140, 125)][int(rng.integers(4))], 15)
        self.tile = float(rng.uniform(1.0, 2.5))
        n = int(people if people is not None else rng.integers(3, 26))
        self.walkers = [self._spawn(rng) for _ in range(n)]
        self.props = [random_prop(rng, self._random_depth(rng, 1.2), self.half_view)
                      for _ in range(int(rng.integers(2, 8)))]
        self._bg = None

    def _random_depth(self, rng, nearest: float = 1.0) -> float:
        # Log-uniform, leaning a little far (fewer people right in front of the camera).
        lo, hi = math.log(self.d_near * nearest), math.log(self.d_far)
        return float(math.exp(lo + (hi - lo) * rng.uniform() ** 0.8))

    def _spawn(self, rng) -> Walker:
        D = self._random_depth(rng)
        if self.near > 0 and rng.uniform() < self.near:
            # Log-uniform between the nearest depth and a little beyond the frame's bottom.
            lo, hi = math.log(self.d_near), math.log(1.3 * self.d_bottom)
            D = float(math.exp(lo + (hi - lo) * rng.uniform()))
        band = (max(self.d_near, D / 1.7), min(self.d_far, D * 1.7))
        X = float(rng.uniform(-1.1, 1.1) * self.half_view * D)
        pose = int(rng.choice([WALK, STAND, WAVE, REACH], p=list(self.pose_mix)))
        speed = float(rng.uniform(0.8, 1.8)) if pose == WALK else 0.0
        body = Body(build=float(rng.uniform(0.85, 1.2)),
                    arm_swing=float(rng.uniform(0.25, 0.55)),
                    leg_swing=float(rng.uniform(0.32, 0.5)) * min(1.0, speed / 1.2 + 0.2),
                    rest_abduction=float(rng.uniform(0.03, 0.2)),
                    rest_flex=float(rng.uniform(0.05, 0.5)), side=1 if rng.random() < 0.5 else -1)
        look = Look(skin=_jitter(rng, SKINS[int(rng.integers(len(SKINS)))], 10),
                    hair=None if rng.random() < 0.08 else _jitter(
                        rng, HAIRS[int(rng.integers(len(HAIRS)))], 10),
                    shirt=_jitter(rng, CLOTHES[int(rng.integers(len(CLOTHES)))], 25),
                    trousers=_jitter(rng, CLOTHES[int(rng.integers(len(CLOTHES)))], 25),
                    shoes=_jitter(rng, (40, 35, 30), 20), long_sleeves=bool(rng.random() < 0.6),
                    shorts=bool(rng.random() < 0.15))
        return Walker(X, D, band, float(rng.uniform(-math.pi, math.pi)), speed,
                      float(rng.normal(1.72, 0.09)), body, look, pose,
                      float(rng.uniform(0, 2 * math.pi)))

    def state(self, w: Walker, t: int):
        """(X, D, facing phi, phase) of walker `w` at frame t."""
        sec = t / self.fps
        if w.speed == 0:
            return w.X, w.D, w.heading, w.phase0 + 2 * math.pi * 1.2 * sec
        lo, hi = w.band
        span = hi - lo
        u = (w.D - lo - w.speed * math.cos(w.heading) * sec) % (2 * span)
        sign = 1.0 if u < span else -1.0  # -1: turned round at an end of the band
        D = lo + (u if u < span else 2 * span - u)
        phi = math.atan2(math.sin(w.heading), math.cos(w.heading) * sign)
        a = self.half_view * 1.2  # wrap sideways off screen, in X / D
        xn = (w.X + w.speed * math.sin(w.heading) * sec) / D
        xn = (xn + a) % (2 * a) - a
        stride = 1.45 * w.height / 1.75
        return xn * D, D, phi, w.phase0 + 2 * math.pi * w.speed / stride * sec

    def ground(self, X: float, D: float):
        """Image point of the ground at (X, D) and pixels per metre there."""
        s = self.focal / D
        return (self.width / 2 + X * s, self.horizon + self.cam_height * s), s

    def background(self) -> np.ndarray:
        """The plaza without people or props (world.py's sky and buildings, then paving)."""
        if self._bg is None:
            street = Sequence(self.seed, self.width, self.height, things=0)
            street.horizon = self.horizon
            img, _ = street._background(np.random.default_rng(self.rng_seed))
            pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
            paving(ImageDraw.Draw(pil), self)
            self._bg = np.asarray(pil).copy()
        return self._bg

    def render(self, t: int) -> PoseFrame:
        W, H = self.width, self.height
        pil = Image.fromarray(self.background())
        codes = Image.new("I", (W, H), 0)
        d, dc = ImageDraw.Draw(pil), ImageDraw.Draw(codes)
        items = []  # (depth, kind, index, payload)
        for k, w in enumerate(self.walkers):
            X, D, phi, phase = self.state(w, t)
            items.append((D, 0, k, (X, phi, phase)))
        for k, p in enumerate(self.props):
            items.append((p.D, 1, k, None))
        items.sort(key=lambda it: (-it[0], it[1], it[2]))
        rank, drawn, full = {}, {}, {}
        for order, (D, kind, k, payload) in enumerate(items):
            if kind == 1:
                iid = OBJECT_ID_BASE + k
                draw_shapes(d, dc, prop_shapes(self.props[k], self), iid * PARTS_PER_ID)
            else:
                iid = k + 1
                X, phi, phase = payload
                w = self.walkers[k]
                foot, s = self.ground(X, D)
                pts = body_points(w.body, w.pose, phase)
                shapes = person_shapes(w.look, pts, phi, foot, w.height * s, self.cam_height / D)
                solo = Image.new("L", (W, H), 0)
                draw_shapes(d, dc, shapes, iid * PARTS_PER_ID, ImageDraw.Draw(solo))
                full[iid] = int(np.count_nonzero(np.asarray(solo)))
                drawn[iid] = (pts, phi, foot, w.height * s, self.cam_height / D)
            rank[iid] = order
        rng = np.random.default_rng((self.rng_seed, t))
        image = np.asarray(pil, np.float32) * self.light
        image = image + rng.normal(0, self.noise, image.shape).astype(np.float32)
        image = np.clip(image, 0, 255).astype(np.uint8)
        code = np.asarray(codes, np.int64)
        inst = (code // PARTS_PER_ID).astype(np.int32)
        part = (code % PARTS_PER_ID).astype(np.int32)
        people = []
        counts = np.bincount(inst[inst < OBJECT_ID_BASE].ravel(), minlength=len(self.walkers) + 1)
        for iid in sorted(drawn):
            area = int(counts[iid])
            if area == 0:
                continue
            ys, xs = np.nonzero(inst == iid)
            x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
            kps = self._keypoints(iid, drawn[iid], inst, part, rank)
            people.append(PersonInstance(iid, iid, [x0, y0, x1 - x0, y1 - y0], area,
                                         area / max(1, full[iid]), kps))
        ids = np.where(inst < OBJECT_ID_BASE, inst, 0).astype(np.int32)
        return PoseFrame(image, ids, people)

    def _keypoints(self, iid, drawn, inst, part, rank) -> np.ndarray:
        pts, phi, foot, h_px, gain = drawn
        xy, z = project(np.stack([pts[k] for k in KEYPOINTS]), phi, foot, h_px, gain)
        _, z_head = project(pts["head"], phi, foot, h_px, gain)
        H, W = inst.shape
        out = np.zeros((len(KEYPOINTS), 3), np.float32)
        for k in range(len(KEYPOINTS)):
            x, y = xy[k, 0] + 0.5, xy[k, 1] + 0.5
            if not (0 <= x < W and 0 <= y < H):
                continue
            if k < FACE:
                facing = z[k] - z_head[0] > FACE_FRONT[k]
            elif k in (5, 6, 11, 12):
                facing = z[k] > TORSO_BACK
            else:
                facing = True
            top = int(inst[int(y), int(x)])
            if top == iid:
                own = int(part[int(y), int(x)])
                # Drawn over by another of its own parts (the far elbow behind the torso),
                # or on the far side of the head / torso.
                visible = own in OWNERS[k] and (facing if k < FACE or own == TORSO else True)
            elif top != 0 and rank.get(top, -1) > rank[iid]:
                visible = False  # something nearer is drawn over it
            else:
                visible = facing  # at the edge of the silhouette, over the background
            out[k] = (x, y, 2 if visible else 1)
        return out


__all__ = ["PlazaSequence", "PoseFrame", "PersonInstance", "Walker", "KEYPOINTS"]
