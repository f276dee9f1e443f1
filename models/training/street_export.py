"""The work of export.py (imports torch; export.py checks its arguments first).

Example:
    export_street(args, folder)   # args as parsed by export.py
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch
from PIL import Image

from model import MEAN, STD, build_model
from onnx_export import check_against_torchvision, export_raw, export_standard, manifest_dict
from raw_export import RawDetector
from uint8_input import convert_file
from world import CATEGORIES, COLOURS, SEMANTIC_CLASSES, THINGS, Sequence

# The manifest's JSON Schema: its `$schema` is the path of this file from the output folder.
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas",
                      "manifest.schema.json")

VERIFY_SEED_BASE = 50000  # held-out sequences used to check the export


def load(checkpoint: str, arch: str):
    try:
        state = torch.load(checkpoint, map_location="cpu")
    except FileNotFoundError:
        sys.exit(f"export.py: --checkpoint: expected a checkpoint written by train.py, found no "
                 f"file {checkpoint!r}")
    size = tuple(state["size"])
    model = build_model(state["arch"], len(THINGS) + 1, len(SEMANTIC_CLASSES), size)
    model.load_state_dict(state["model"])
    if arch == "fasterrcnn":
        heads = model.roi_heads
        heads.mask_roi_pool = heads.mask_head = heads.mask_predictor = None
        model.semantic_head = None
    return model.eval(), size, state


def held_out_pixels(size, count):
    """`count` generated frames at the model size, as [N, 3, H, W] floats 0..255."""
    h, w = size
    frames = []
    for k in range(count):
        frame = Sequence(VERIFY_SEED_BASE + k).render(5 * k)
        img = Image.fromarray(frame.image).resize((w, h), Image.BILINEAR)
        frames.append(torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float())
    return torch.stack(frames)


def manifest(name, arch, size, names, raw, state, folder):
    classes = [{"id": c["id"], "name": c["name"], "isThing": bool(c["isthing"]),
                "color": list(COLOURS[c["id"]])} for c in CATEGORIES
               if c["isthing"] or (raw and arch == "maskrcnn")]
    semantic = SEMANTIC_CLASSES if "semantic_logits" in names else None
    training = {"steps": state["step"], "minutes": round(state["seconds"] / 60, 1),
                "script": "models/training/train.py"}
    return manifest_dict(name, arch, size, names, raw, MEAN, STD, classes, 50, semantic,
                         schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
                         training=training)


def export_street(args, folder: str) -> None:
    """Exports `args.checkpoint` into `folder` as export.py's options say."""
    torch.set_num_threads(os.cpu_count() or 2)
    model, size, state = load(args.checkpoint, args.arch)
    path = os.path.join(folder, "model.onnx")
    name = os.path.basename(os.path.abspath(folder))
    if args.standard:
        names = export_standard(model, path, size, args.opset)
    else:
        raw = RawDetector(model, size)
        if args.verify_frames:
            box, score = check_against_torchvision(model, raw, held_out_pixels(
                size, args.verify_frames))
            print(f"raw graph == torchvision on {args.verify_frames} frames "
                  f"(max |Δbox| {box:.2e} px, |Δscore| {score:.2e})")
        names = export_raw(raw, path, args.opset)
    spec = manifest(name, args.arch, size, names, not args.standard, state, folder)
    if getattr(args, "uint8_input", True):
        spec["input"] = convert_file(path, spec["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json")


