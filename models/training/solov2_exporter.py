"""The work of solov2_export.py (imports torch; solov2_export.py checks its arguments first):
loading a checkpoint, exporting the graph, its manifest, and checking the ONNX graph in
onnxruntime-node against the eager module.

Example:
    export_folder(args, folder)   # args as parsed by solov2_export.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

from model import MEAN, STD
from onnx_export import manifest_dict, normalise
from solov2_fixture import street_pixels
from solov2_model import MASK_STRIDE, Solov2
from solov2_raw import OUTPUT_NAMES, RawSolov2, export_solov2, output_specs
from uint8_input import convert_file
from world import COLOURS, THINGS

SCRIPT = "solov2_export.py"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SCHEMA = os.path.join(REPO, "schemas", "manifest.schema.json")
VERIFY_SEED_BASE = 50000  # held-out street sequences that check the export (as export.py)
TOLERANCE = 1e-4


def load(checkpoint: str):
    """(model in eval mode, input size (H, W), checkpoint dict) of a solov2_train.py file."""
    try:
        state = torch.load(checkpoint, map_location="cpu")
    except FileNotFoundError:
        sys.exit(f"{SCRIPT}: --checkpoint: expected a checkpoint written by solov2_train.py, "
                 f"found no file {checkpoint!r}")
    except Exception as e:  # not a torch file: pickle, zip or EOF errors
        sys.exit(f"{SCRIPT}: --checkpoint: expected a checkpoint written by solov2_train.py, "
                 f"found {checkpoint!r} unreadable ({type(e).__name__}: {e})")
    if not isinstance(state, dict) or state.get("arch") != "solov2":
        found = state.get("arch") if isinstance(state, dict) else type(state).__name__
        sys.exit(f"{SCRIPT}: --checkpoint: expected a solov2_train.py checkpoint (arch "
                 f"'solov2'), found arch {found!r}")
    model = Solov2(state["config"])
    model.load_state_dict(state["model"])
    return model.eval(), tuple(state["size"]), state


def solov2_block(config: dict, score_threshold: float, nms_pre: int) -> dict:
    """The manifest's `solov2` block: the grids and SOLO's test_cfg."""
    return {"grids": list(config["grids"]), "strides": list(config["strides"]),
            "maskStride": MASK_STRIDE, "numClasses": config["num_classes"],
            "scoreThreshold": score_threshold, "maskThreshold": 0.5, "nmsPre": nms_pre,
            "updateThreshold": 0.05, "kernel": "gaussian", "sigma": 2.0, "maxPerImage": 100}


def solov2_manifest(name: str, size: tuple, state: dict, folder: str, block: dict) -> dict:
    """The street manifest's fields (kind "solov2", the 4 thing classes), the graph's outputs,
    Matrix NMS as the default suppression, and the `solov2` block."""
    classes = [{"id": i, "name": n, "isThing": True, "color": list(COLOURS[i])}
               for i, n in THINGS]
    training = {"steps": state["step"], "minutes": round(state["seconds"] / 60, 1),
                "script": "models/training/solov2_train.py"}
    out = manifest_dict(name, "solov2", size, [], True, MEAN, STD, classes, 100,
                        schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
                        training=training)
    out["outputs"] = output_specs(state["config"], size, MASK_STRIDE)
    out["postprocess"] = {"nmsInGraph": False, "maskActivation": "none"}  # sigmoid inside
    out["defaults"]["nms"] = {"kind": "matrix", "sigma": block["sigma"]}
    out["defaults"]["maskThreshold"] = block["maskThreshold"]
    out["solov2"] = block
    out["training"] = out.pop("training")  # keep `training` last, as the street manifests
    return out


def find_deno() -> str | None:
    for c in (os.environ.get("DENO"), shutil.which("deno"),
              os.path.join(REPO, ".ci", "deno", "node_modules", ".bin", "deno")):
        if c and os.access(c, os.X_OK):
            return c
    return None


def run_onnx(path: str, feeds: dict) -> dict:
    """The graph's outputs in onnxruntime-node (ort_run.ts through Deno): name -> array."""
    deno = find_deno()
    if deno is None:
        sys.exit(f"{SCRIPT}: expected deno (DENO, PATH or .ci/deno) to run the graph in "
                 f"onnxruntime-node, found none; --no-onnx-check skips the check")
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for name, array in feeds.items():
            np.save(os.path.join(tmp, f"{name}.npy"), np.ascontiguousarray(array))
            pairs.append(f"{name}={os.path.join(tmp, name + '.npy')}")
        cmd = [deno, "run", "-A", "--frozen", os.path.join(HERE, "ort_run.ts"),
               os.path.abspath(path), os.path.join(tmp, "out"), *pairs]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{SCRIPT}: running the graph in onnxruntime-node failed "
                     f"({' '.join(cmd[:4])} ...):\n{proc.stderr[-3000:]}")
        return {n: np.load(os.path.join(tmp, "out", f"{n}.npy")) for n in OUTPUT_NAMES}


def graph_outputs(path: str, pixels: torch.Tensor, uint8: bool) -> tuple:
    """The ONNX graph's four outputs on `pixels` ([N, 3, H, W] floats 0..255) in
    onnxruntime-node, as torch tensors."""
    feed = (pixels.permute(0, 2, 3, 1).numpy().astype(np.uint8) if uint8
            else normalise(pixels, MEAN, STD).numpy())
    got = run_onnx(path, {"images": feed})
    return tuple(torch.from_numpy(got[n]) for n in OUTPUT_NAMES)


def tie_gap(pre: np.ndarray, grids: list, b: int, g: int, c: int) -> float:
    """How close score (b, g, c) is to its up / left / up-left neighbours (pre-points_nms
    scores [N, G, C]): points_nms keeps a score equal to its window's max, so outputs that
    differ by float rounding can keep or zero a score that nearly ties a neighbour."""
    start = 0
    for s in grids:
        if g < start + s * s:
            break
        start += s * s
    y, x = divmod(g - start, s)
    near = [pre[b, start + yy * s + xx, c] for yy, xx in ((y - 1, x), (y, x - 1), (y - 1, x - 1))
            if yy >= 0 and xx >= 0]
    return min((abs(float(pre[b, g, c]) - float(v)) for v in near), default=float("inf"))


def compare(raw: RawSolov2, pixels: torch.Tensor, got: tuple) -> dict:
    """The graph's outputs `got` against the eager module's on the same frames: category
    scores within TOLERANCE (but for points_nms near-ties, which may fall either way), the
    masks of the cells both give within TOLERANCE, and the same cells but for best scores
    within TOLERANCE of the threshold. Exits when they differ; returns the differences."""
    x = normalise(pixels, MEAN, STD)
    with torch.no_grad():
        want = [t.numpy() for t in raw(x)]
        cates = raw.model(x)[0]
    pre = torch.cat([c.sigmoid().permute(0, 2, 3, 1).reshape(c.shape[0], -1, c.shape[1])
                     for c in cates], 1).numpy()
    got = [t.numpy() for t in got]
    flips = np.argwhere((got[0] == 0) != (want[0] == 0))
    gaps = [tie_gap(pre, raw.model.grids, *f) for f in flips]
    same = (got[0] == 0) == (want[0] == 0)
    d_scores = float(np.abs(got[0] - want[0])[same].max(initial=0.0))
    rows = [{(int(b), int(c)): i for i, (b, c) in enumerate(zip(o[3], o[2]))} for o in (got, want)]
    common = sorted(set(rows[0]) & set(rows[1]))
    d_masks = max((float(np.abs(got[1][rows[0][k]] - want[1][rows[1][k]]).max())
                   for k in common), default=0.0)
    flipped = max((float(max(got[0][tuple(f)], want[0][tuple(f)])) for f in flips), default=0)
    print(f"onnxruntime-node vs PyTorch on {len(pixels)} frame{'s' * (len(pixels) != 1)}: "
          f"max |Δcategory_scores| {d_scores:.2e} ({len(flips)} points_nms near-ties kept by "
          f"one only, scores up to {flipped:.3f}, max gap {max(gaps, default=0):.1e}); "
          f"masks of {len(rows[0])} vs "
          f"{len(rows[1])} cells, {len(common)} in both, max |Δmask| {d_masks:.2e}")
    differ = set(rows[0]) ^ set(rows[1])
    best, tied = np.maximum(got[0], want[0]).max(-1), {(int(b), int(g)) for b, g, _ in flips}
    odd = [k for k in differ if k not in tied and abs(best[k] - raw.score_threshold) > TOLERANCE]
    if odd:
        sys.exit(f"{SCRIPT}: the ONNX graph and PyTorch mask different cells (image, cell): "
                 f"{sorted(odd)[:5]}")
    if d_scores > TOLERANCE or d_masks > TOLERANCE or max(gaps, default=0) > TOLERANCE:
        sys.exit(f"{SCRIPT}: the ONNX graph and PyTorch differ: category scores by "
                 f"{d_scores:.2e} (points_nms gaps up to {max(gaps, default=0):.1e}), masks "
                 f"by {d_masks:.2e} (expected < {TOLERANCE})")
    return {"frames": len(pixels), "maxScoreDiff": d_scores, "maxMaskDiff": d_masks,
            "pointsNmsTies": len(flips), "tiedScoreMax": flipped, "cellsOnlyOne": len(differ)}


def export_folder(args, folder: str) -> None:
    """Exports `args.checkpoint` into `folder` as solov2_export.py's options say."""
    torch.set_num_threads(1)
    model, size, state = load(args.checkpoint)
    raw = RawSolov2(model, args.score_threshold, args.nms_pre).eval()
    path = os.path.join(folder, "model.onnx")
    export_solov2(raw, path, size, args.opset)
    name = os.path.basename(os.path.abspath(folder))
    block = solov2_block(state["config"], args.score_threshold, args.nms_pre)
    spec = solov2_manifest(name, size, state, folder, block)
    if args.uint8_input:
        spec["input"] = convert_file(path, spec["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json")
    if args.onnx_check and args.verify_frames:
        pixels = street_pixels(size, [VERIFY_SEED_BASE + k for k in range(args.verify_frames)],
                               frame=5, noise=None)
        compare(raw, pixels, graph_outputs(path, pixels, args.uint8_input))
    if args.fixture:
        from solov2_fixture import write_fixture

        run = (lambda p: graph_outputs(path, p, args.uint8_input)) if args.onnx_check else None
        write_fixture(raw, spec, size, args.fixture, run, compare)


__all__ = ["export_folder", "load", "solov2_manifest", "solov2_block", "compare",
           "graph_outputs", "run_onnx"]
