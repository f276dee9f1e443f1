"""The work of single_stage_export.py (imports torch; single_stage_export.py checks its
arguments first): loading a train.py FCOS / RetinaNet checkpoint, checking the raw graph
against torchvision, exporting it, its manifest, and the parity fixture.

Example:
    export_single_stage_checkpoint(args, folder)   # args as parsed by single_stage_export.py
"""

from __future__ import annotations

import json
import os
import sys

import torch

from cli import SINGLE_STAGE
from single_stage_model import build_single_stage
from single_stage_onnx import export_single_stage, single_stage_manifest
from single_stage_raw import RawSingleStage, check_single_stage
from street_export import held_out_pixels
from uint8_input import convert_file
from world import COLOURS, THINGS

SCRIPT = "single_stage_export.py"
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas",
                      "manifest.schema.json")


def load(checkpoint: str):
    """(model in eval mode, input size (H, W), checkpoint dict) of a train.py FCOS /
    RetinaNet checkpoint."""
    try:
        state = torch.load(checkpoint, map_location="cpu")
    except FileNotFoundError:
        sys.exit(f"{SCRIPT}: --checkpoint: expected a checkpoint written by train.py --arch "
                 f"{' or '.join(SINGLE_STAGE)}, found no file {checkpoint!r}")
    if state.get("arch") not in SINGLE_STAGE or "config" not in state:
        sys.exit(f"{SCRIPT}: --checkpoint: expected a train.py checkpoint of arch "
                 f"{' or '.join(SINGLE_STAGE)} (with its config), found arch "
                 f"{state.get('arch')!r} (export.py exports the R-CNNs)")
    size = tuple(state["size"])
    model = build_single_stage(state["arch"], size, len(THINGS) + 1, **state["config"])
    model.load_state_dict(state["model"])
    return model.eval(), size, state


def street_manifest(name: str, raw, model, state: dict, folder: str) -> dict:
    """The manifest of a raw street FCOS / RetinaNet: the street classes (ids 1..4, names and
    colours as the street R-CNN manifests), the training run and its flags last."""
    classes = [{"id": i, "name": n, "isThing": True, "color": list(COLOURS[i])}
               for i, n in THINGS]
    flags = f" --arch {state['arch']} --anchor-scale {state['config']['anchor_scale']:g}"
    training = {"steps": state["step"], "minutes": round(state["seconds"] / 60, 1),
                "script": "models/training/train.py" + flags}
    return single_stage_manifest(name, raw, model, classes,
                                 schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
                                 training=training)


def describe_check(report: dict, frames: int) -> str:
    box = "" if report["boxDiff"] is None else f", |Δbox| {report['boxDiff']:.2e} px"
    return (f"raw graph == torchvision on {frames} frames: {report['detections']} detections, "
            f"torchvision's decoding of the raw outputs identical to its forward; normalised "
            f"as the runtime does: max |Δraw| {report['rawDiff']:.2e}{box}, "
            f"|Δscore| {report['scoreDiff']:.2e}")


def export_single_stage_checkpoint(args, folder: str) -> None:
    """Exports `args.checkpoint` into `folder` as single_stage_export.py's options say."""
    torch.set_num_threads(args.threads)
    model, size, state = load(args.checkpoint)
    raw = RawSingleStage(model, size)
    if args.verify_frames:
        try:
            report = check_single_stage(model, raw, held_out_pixels(size, args.verify_frames))
        except AssertionError as e:
            sys.exit(f"{SCRIPT}: the raw graph differs from torchvision: {e}")
        print(describe_check(report, args.verify_frames))
        if report["detections"] == 0:
            print("warning: no detection above the score threshold: only the counts and the "
                  "raw outputs were compared (an untrained model?)")
    path = os.path.join(folder, "model.onnx")
    export_single_stage(raw, path, args.opset)
    name = os.path.basename(os.path.abspath(folder))
    spec = street_manifest(name, raw, model, state, folder)
    if args.uint8_input:
        spec["input"] = convert_file(path, spec["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json: "
          f"{', '.join(raw.output_names())}")
    if args.fixture:
        from single_stage_fixture import write_fixture

        write_fixture(raw, model, spec, args.fixture)
