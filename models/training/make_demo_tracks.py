"""Tracking ground truth for the bundled demo video, without re-encoding it.

Re-renders the scenes of make_demo.py (its seeds, size and frame counts, as instances.json's
`info` records them; street.mp4 is not touched), checks that instances.json and panoptic.json
are exactly what make_demo.py writes, and writes:

- instances.json with `track_id` added to every annotation (make_demo.add_track_ids), nothing
  else changed;
- gt/gt.txt, MOTChallenge `frame,id,x,y,w,h,conf,class,visibility` (frame = frame index + 1,
  conf 0 = ignore for crowd annotations, class = category id, visibility = visible pixels over
  the pixels the object would cover in the frame unoccluded), and gt/seqinfo.ini;
- gt/counts.json: the true counts of LINE and ZONE below, by the rules in LINE_RULE and
  ZONE_RULE.

Usage:
    /usr/bin/python3 make_demo_tracks.py [--demo ../demo] [--check]

--check writes nothing and exits 1 when a file differs from what it would write.
Needs numpy and Pillow only (Debian: python3-numpy, python3-pil); about 15 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

from dataset import instance_annotations, panoptic_annotation
from make_demo import DEMO_SEEDS, add_track_ids, demo_info, image_entry
from world import CATEGORIES, MIN_VISIBLE_FRACTION, MIN_VISIBLE_PIXELS, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH, HEIGHT = 640, 360

# The counting geometry for pipelines/demo.json, in image pixels (x right, y down).
LINE = [[300, 160], [370, 350]]  # A -> B
ZONE = [[280, 197], [560, 193], [600, 333], [180, 337]]
ANCHOR = "bottom-centre of the visible bbox: (x + w/2, y + h)"
MIN_FRAMES = 2  # frames on the new side (or inside, or outside) that confirm a change
# The runtime's rules (src/analytics/line_counter.ts, zone_counter.ts), run on the true tracks.
LINE_RULE = (
    "side(P) = sign(cross(B - A, P - A)) in image coordinates (y down): < 0 is the `in` side "
    "(left-hand side of A -> B as the picture is seen), > 0 the `out` side, 0 on the line. "
    "Per object, along its observations (the frames it is annotated in; in nonCrowd only "
    "those with iscrowd 0), cut where it wraps around the view (and at scene cuts: new "
    "objects): its first position off the line gives its side without counting; a position "
    "on the line keeps the side it was on (the run's side during a run); arriving on the "
    "other side starts a run, which is a crossing if the move from the previous position to "
    "the arrival meets the closed segment A-B; 2 observations in a row on the new side "
    "(arrival included) confirm it and count it if it was a crossing (`in`: from cross > 0 "
    "to cross < 0; `out`: from < 0 to > 0); going back first cancels the run. Events: "
    "`arrival` = frame index of the first anchor on the new side, `frame` = the frame "
    "index that confirms it (when the runtime emits it).")
ZONE_RULE = (
    "inside = the anchor is in the polygon by the even-odd rule, its border included. Per "
    "object, along its observations (as for the line, cut at wraps and scene cuts): 2 "
    "observations in a row inside make it enter as of the first of them (`enter`; `frame` = "
    "the frame index that confirms it), 2 in a row outside make it exit as of the first of "
    "those (`exit`); an object whose observations end while inside exits at its last "
    "observation (or at the first of an unconfirmed run outside), `endedInside` true. "
    "objects = distinct objects that entered, entries = entries, dwellFrames = the sum of "
    "exit - enter in frame indices (the runtime's dwellMs is that times 1000 / 15).")


def fail(message: str):
    sys.exit(f"make_demo_tracks.py: {message}")


def compact(obj) -> str:
    """JSON as make_demo.py writes it."""
    return json.dumps(obj, separators=(",", ":"))


def without_track_ids(coco: dict) -> dict:
    return {**coco, "annotations": [{k: v for k, v in a.items() if k != "track_id"}
                                    for a in coco["annotations"]]}


def full_area(seq: Sequence, pos: tuple, k: int) -> int:
    """Pixels thing k would cover in the frame if nothing hid it (as Sequence.render counts)."""
    solo = Image.new("L", (seq.width, seq.height), 0)
    seq._draw(ImageDraw.Draw(Image.new("RGB", (1, 1))), ImageDraw.Draw(solo),
              seq._thing_shapes(seq.things[k], *pos), 1)
    return int(np.count_nonzero(np.asarray(solo)))


def wrap_key(seq: Sequence, k: int, t: int) -> tuple:
    """How many times thing k has wrapped around the view (x, y) by frame t, as
    Sequence.positions wraps it: a change between frames is a teleport, not a motion."""
    th, W = seq.things[k], seq.width
    lo, hi = seq.horizon + 4, seq.height * 1.1
    kx = math.floor((th.x + th.vx * t + 0.15 * W) / (1.3 * W))
    ky = math.floor((th.y + th.vy * t - lo) / (hi - lo)) if hi > lo else 0
    return kx, ky


def rederive(instances: dict, panoptic: dict) -> tuple:
    """Renders every frame again; returns (instances with track ids, observations per track)
    and fails when the files differ from what make_demo.py writes."""
    info = instances["info"]
    scenes, per_scene = info["scenes"], info["frames_per_scene"]
    if scenes > len(DEMO_SEEDS):
        fail(f"instances.json info.scenes: expected at most {len(DEMO_SEEDS)}, found {scenes}")
    images, annotations, pan, track_ids, tracks = [], [], [], {}, {}
    for s in range(scenes):
        seq = Sequence(DEMO_SEEDS[s], WIDTH, HEIGHT)
        for t in range(per_scene):
            frame = seq.render(t)
            image_id = len(images) + 1
            images.append(image_entry(image_id, WIDTH, HEIGHT, s))
            anns = add_track_ids(instance_annotations(frame, image_id, len(annotations) + 1),
                                 frame, s, track_ids)
            annotations += anns
            p = panoptic_annotation(frame, image_id)
            p["file_name"] = images[-1]["file_name"]
            pan.append(p)
            pos = seq.positions(t)
            for ann, inst in zip(anns, frame.instances):
                k = inst.id - 1
                full = full_area(seq, pos[k], k)
                crowd = int(inst.area < max(MIN_VISIBLE_PIXELS, MIN_VISIBLE_FRACTION * full))
                if crowd != inst.iscrowd or inst.area > full:
                    fail(f"frame {image_id - 1}, instance {inst.id}: full area {full} does not "
                         f"agree with the world's area {inst.area} and iscrowd {inst.iscrowd}")
                tracks.setdefault(ann["track_id"], {
                    "track_id": ann["track_id"], "scene": s, "seed": DEMO_SEEDS[s],
                    "category_id": inst.category, "observations": []})["observations"].append({
                        "frame": image_id - 1, "bbox": inst.bbox, "iscrowd": inst.iscrowd,
                        "visibility": inst.area / full, "piece": wrap_key(seq, k, t)})
    ours = {"info": demo_info(info["fps"], scenes, per_scene), "images": images,
            "categories": CATEGORIES, "annotations": annotations}
    check_same("instances.json", without_track_ids(instances), without_track_ids(ours))
    check_same("panoptic.json", panoptic, {**ours, "annotations": pan})
    for have, want in zip(instances["annotations"], annotations):
        if "track_id" in have and have["track_id"] != want["track_id"]:
            fail(f"instances.json annotation {have['id']}: track_id {have['track_id']} differs "
                 f"from the re-derived {want['track_id']}")
    return ours, list(tracks.values())


def check_same(name: str, have: dict, want: dict):
    if compact(have) == compact(want):
        return
    for key in ("info", "images", "categories"):
        if compact(have.get(key)) != compact(want[key]):
            fail(f"{name}: `{key}` differs from what make_demo.py writes")
    a, b = have.get("annotations", []), want["annotations"]
    if len(a) != len(b):
        fail(f"{name}: expected {len(b)} annotations as make_demo.py writes, found {len(a)}")
    for i, (x, y) in enumerate(zip(a, b)):
        if compact(x) != compact(y):
            fields = sorted(k for k in set(x) | set(y) if compact(x.get(k)) != compact(y.get(k)))
            fail(f"{name}: annotation {i} (image {y.get('image_id')}) differs from what "
                 f"make_demo.py writes in {fields}")
    fail(f"{name}: differs from what make_demo.py writes")


def cross(a, b, p) -> float:
    """cross(B - A, P - A): exact here (coordinates are multiples of 0.5)."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def on_segment(a, b, p) -> bool:
    return (min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]) and cross(a, b, p) == 0)


def segments_meet(p, q, a, b) -> bool:
    """Whether the closed segments P-Q and A-B have a point in common."""
    d = [np.sign(cross(p, q, a)), np.sign(cross(p, q, b)), np.sign(cross(a, b, p)),
         np.sign(cross(a, b, q))]
    if d[0] * d[1] < 0 and d[2] * d[3] < 0:
        return True
    return on_segment(p, q, a) or on_segment(p, q, b) or on_segment(a, b, p) or on_segment(a, b, q)


def inside(poly: list, p) -> bool:
    """Point in polygon (even-odd), border included."""
    x, y, hit = p[0], p[1], False
    for a, b in zip(poly, poly[1:] + poly[:1]):
        if on_segment(a, b, p):
            return True
        if (a[1] > y) != (b[1] > y) and x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
            hit = not hit
    return hit


def pieces(track: dict, with_crowd: bool) -> list:
    """The track's anchors [(frame, (x, y))], cut where the object wraps around the view."""
    out, last = [], None
    for o in track["observations"]:
        if o["iscrowd"] and not with_crowd:
            continue
        if o["piece"] != last:
            out.append([])
            last = o["piece"]
        x, y, w, h = o["bbox"]
        out[-1].append((o["frame"], (x + w / 2, y + h)))
    return out


def line_events(piece: list, a, b) -> list:
    """[(direction, frame of arrival, frame confirmed)] by LINE_RULE."""
    events, side, run, crossing, prev = [], None, 0, False, None
    for frame, p in piece:
        s = -int(np.sign(cross(a, b, p)))  # 1: the `in` side (cross < 0), -1: `out`, 0: on it
        if prev is None or side == 0:
            side = s
        else:
            e = s if s != 0 else (-side if run > 0 else side)
            if e == side:
                run = 0
            else:
                if run == 0:
                    crossing, arrival = segments_meet(prev, p, a, b), frame
                run += 1
                if run >= MIN_FRAMES:
                    side, run = e, 0
                    if crossing:
                        events.append(("in" if e == 1 else "out", arrival, frame))
        prev = p
    return events


def zone_stays(piece: list, poly: list) -> list:
    """[(entry frame, frame confirmed, exit frame, ended inside)] by ZONE_RULE."""
    stays, t = [], None
    for frame, p in piece:
        now = inside(poly, p)
        if t is None:
            if not now:
                continue
            t = {"inside": False, "run": 0, "start": frame}
        t["seen"] = frame
        if now == t["inside"]:
            if now:
                t["run"] = 0
            else:
                t = None
            continue
        if t["run"] == 0:
            t["start"] = frame
        t["run"] += 1
        if t["run"] < MIN_FRAMES:
            continue
        t["run"] = 0
        if now:
            t.update(inside=True, enter=t["start"], confirmed=frame)
        else:
            stays.append((t["enter"], t["confirmed"], t["start"], False))
            t = None
    if t is not None and t["inside"]:
        stays.append((t["enter"], t["confirmed"], t["start"] if t["run"] else t["seen"], True))
    return stays


def tally(tracks: list, with_crowd: bool, line_ab=LINE, polygon=ZONE) -> dict:
    things = [c for c in CATEGORIES if c["isthing"]]
    line = {"in": 0, "out": 0, "byCategory": [
        {"id": c["id"], "name": c["name"], "in": 0, "out": 0} for c in things]}
    zone = {"objects": 0, "entries": 0, "dwellFrames": 0, "byCategory": [
        {"id": c["id"], "name": c["name"], "objects": 0, "entries": 0, "dwellFrames": 0}
        for c in things]}
    events = {"line": [], "zone": []}
    for tr in tracks:
        tid, cat = tr["track_id"], tr["category_id"]
        line_c = next(c for c in line["byCategory"] if c["id"] == cat)
        zone_c = next(c for c in zone["byCategory"] if c["id"] == cat)
        entered = False
        for piece in pieces(tr, with_crowd):
            for direction, arrival, frame in line_events(piece, *line_ab):
                line[direction] += 1
                line_c[direction] += 1
                events["line"].append({"track_id": tid, "category_id": cat, "direction": direction,
                                       "arrival": arrival, "frame": frame})
            for enter, confirmed, leave, ended in zone_stays(piece, polygon):
                events["zone"].append({"track_id": tid, "category_id": cat, "enter": enter,
                                       "frame": confirmed, "exit": leave, "endedInside": ended})
                for target in (zone, zone_c):
                    target["entries"] += 1
                    target["dwellFrames"] += leave - enter
                entered = True
        zone["objects"] += entered
        zone_c["objects"] += entered
    for kind in events.values():
        kind.sort(key=lambda e: (e["frame"], e["track_id"]))
    return {"line": line, "zone": zone, "events": events}


def robustness(tracks: list) -> dict:
    """Whether a count could hang on a border convention (anchors exactly on the line or the
    zone's border) or on a few pixels of geometry (every vertex moved 3 px either way)."""
    anchors = [a for tr in tracks for piece in pieces(tr, True) for _, a in piece]
    on_border = sum(any(on_segment(p, q, a) for p, q in zip(ZONE, ZONE[1:] + ZONE[:1]))
                    for a in anchors)

    def outcome(line_ab, polygon):
        out = []
        for with_crowd in (False, True):
            events = tally(tracks, with_crowd, line_ab, polygon)["events"]
            out.append(sorted((e["track_id"], e["direction"]) for e in events["line"]))
            out.append(sorted((e["track_id"], e["endedInside"]) for e in events["zone"]))
        return out

    base, moves = outcome(LINE, ZONE), [(3, 0), (-3, 0), (0, 3), (0, -3)]
    stable = all(
        outcome(*[[[x + dx, y + dy] if j == i else [x, y] for j, (x, y) in enumerate(shape)]
                  if shape is moved else shape for shape in (LINE, ZONE)]) == base
        for moved in (LINE, ZONE) for i in range(len(moved)) for dx, dy in moves)
    return {"anchorsOnLine": sum(cross(*LINE, a) == 0 for a in anchors),
            "anchorsOnZoneBorder": on_border, "sameEventsWithAnyVertexMoved3px": stable}


def side_name(sign: int) -> str:
    """Where the side of LINE with cross of this sign lies on screen (left, right, top, bottom)."""
    (ax, ay), (bx, by) = LINE
    nx, ny = -(by - ay) * sign, (bx - ax) * sign  # normal towards that side
    if abs(nx) >= abs(ny):
        return "right" if nx > 0 else "left"
    return "bottom" if ny > 0 else "top"


def pretty(obj, indent: str = "") -> str:
    """JSON with every value that fits in 100 columns on one line."""
    flat = json.dumps(obj)
    if len(indent) + len(flat) <= 100 or not isinstance(obj, (dict, list)) or not obj:
        return flat
    inner = indent + "  "
    items = ([f"{inner}{json.dumps(k)}: {pretty(v, inner)}" for k, v in obj.items()]
             if isinstance(obj, dict) else [inner + pretty(v, inner) for v in obj])
    brackets = "{}" if isinstance(obj, dict) else "[]"
    return brackets[0] + "\n" + ",\n".join(items) + "\n" + indent + brackets[1]


def count_video(tracks: list, info: dict) -> dict:
    per_scene = info["frames_per_scene"]
    result = {}
    for mode, with_crowd in (("nonCrowd", False), ("withCrowd", True)):
        result[mode] = tally(tracks, with_crowd)
        result[mode]["byScene"] = []
        for s in range(info["scenes"]):
            part = tally([t for t in tracks if t["scene"] == s], with_crowd)
            del part["events"]
            result[mode]["byScene"].append({"scene": s, "seed": DEMO_SEEDS[s], "frames": [
                s * per_scene, (s + 1) * per_scene - 1], **part})
    crowd = [sum(o["iscrowd"] for o in t["observations"]) for t in tracks]
    return {
        "description": "True line and zone counts of models/demo/street.mp4 from the synthetic "
                       "world's identities (models/training/make_demo_tracks.py).",
        "frames": info["scenes"] * per_scene, "fps": info["fps"], "width": WIDTH,
        "height": HEIGHT, "anchor": ANCHOR,
        "line": {"points": LINE, "rule": LINE_RULE,
                 "in": "cross(B - A, P - A) from > 0 to < 0 (image coordinates, y down): "
                       f"for this line, from the {side_name(+1)} of the screen to the "
                       f"{side_name(-1)}",
                 "out": "cross(B - A, P - A) from < 0 to > 0"},
        "zone": {"polygon": ZONE, "rule": ZONE_RULE},
        "robustness": robustness(tracks),
        "objects": {
            "tracks": len(tracks), "annotations": sum(len(t["observations"]) for t in tracks),
            "crowdAnnotations": sum(crowd),
            "alwaysCrowd": sum(c == len(t["observations"]) for c, t in zip(crowd, tracks)),
            "sometimesCrowd": sum(0 < c < len(t["observations"]) for c, t in zip(crowd, tracks)),
            "neverCrowd": sum(c == 0 for c in crowd),
            "wrapsAroundTheView": sum(len(pieces(t, True)) - 1 for t in tracks)},
        "modes": {"nonCrowd": "observations with iscrowd 0 only (crowd frames are gaps)",
                  "withCrowd": "every observation"},
        **result,
    }


def mot_lines(tracks: list) -> str:
    rows = []
    for tr in tracks:
        for o in tr["observations"]:
            x, y, w, h = o["bbox"]
            rows.append((o["frame"] + 1, tr["track_id"], x, y, w, h, 0 if o["iscrowd"] else 1,
                         tr["category_id"], format(o["visibility"], ".5g")))
    rows.sort(key=lambda r: (r[0], r[1]))
    return "".join(",".join(str(v) for v in r) + "\n" for r in rows)


def seqinfo(info: dict) -> str:
    frames = info["scenes"] * info["frames_per_scene"]
    return (f"[Sequence]\nname=street\nframeRate={info['fps']}\nseqLength={frames}\n"
            f"imWidth={WIDTH}\nimHeight={HEIGHT}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", default=os.path.join(HERE, "../demo"))
    ap.add_argument("--check", action="store_true", help="verify only; write nothing")
    args = ap.parse_args(argv)
    paths = {name: os.path.join(args.demo, name) for name in
             ("instances.json", "panoptic.json", "gt/gt.txt", "gt/seqinfo.ini", "gt/counts.json")}
    loaded = {}
    for name in ("instances.json", "panoptic.json"):
        try:
            with open(paths[name]) as f:
                text = f.read()
        except OSError as e:
            fail(f"{paths[name]}: cannot read: {e.strerror}")
        loaded[name] = json.loads(text)
        if compact(loaded[name]) != text:
            fail(f"{name}: not in make_demo.py's JSON layout (compact, no trailing newline)")
    ours, tracks = rederive(loaded["instances.json"], loaded["panoptic.json"])
    info = ours["info"]
    outputs = {
        "instances.json": compact(ours),
        "gt/gt.txt": mot_lines(tracks),
        "gt/seqinfo.ini": seqinfo(info),
        "gt/counts.json": pretty(count_video(tracks, info)) + "\n",
    }
    stale = []
    for name, text in outputs.items():
        try:
            with open(paths[name]) as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale.append(name)
        if not args.check:
            os.makedirs(os.path.dirname(paths[name]), exist_ok=True)
            with open(paths[name], "w") as f:
                f.write(text)
    crowd = sum(a["iscrowd"] for a in ours["annotations"])
    print(f"{len(tracks)} tracks, {len(ours['annotations'])} annotations ({crowd} crowd); "
          + (f"{'stale' if args.check else 'wrote'}: {', '.join(stale)}" if stale
             else "everything up to date"))
    if args.check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
