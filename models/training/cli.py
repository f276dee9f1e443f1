"""Command-line helpers of the training and export scripts, importable without torch, so
that a missing torch, a bad output path or an unknown architecture each get a clear
message before anything heavy is imported.

Example:
    check_choice("train.py", "--arch", args.arch, ARCHITECTURES)
    output_folder("runs/street", "train.py")
    torch = require_torch("train.py")
"""

from __future__ import annotations

import os
import sys

# Architectures of models/training/model.py's build_model.
ARCHITECTURES = ("maskrcnn", "fasterrcnn")
# Single-stage architectures of models/training/single_stage_model.py (train.py trains
# them too; single_stage_export.py exports them, not export.py).
SINGLE_STAGE = ("fcos", "retinanet")

HINT = ("install Debian's packages with `bash models/training/install_deps.sh` "
        "(apt: python3-torch python3-torchvision python3-onnx python3-numpy python3-pil) "
        "and run with /usr/bin/python3")


def require(module: str, script: str, also: tuple = ()):
    """Imports and returns `module` (checking `also` too); exits with a message if absent."""
    import importlib
    try:
        for name in also:
            importlib.import_module(name)
        return importlib.import_module(module)
    except ImportError as e:
        sys.exit(f"{script}: expected {' and '.join((module,) + also)} in {sys.executable}, found none "
                 f"({e}); {HINT}")


def require_torch(script: str):
    """torch, with torchvision checked too."""
    return require("torch", script, also=("torchvision",))


def require_onnx(script: str):
    """The onnx package."""
    return require("onnx", script)


def check_choice(script: str, option: str, value, choices) -> None:
    """Exits with `script: option: expected one of ..., found value` unless value is one."""
    if value not in choices:
        sys.exit(f"{script}: {option}: expected one of {', '.join(choices)}, found {value!r}")


def output_folder(path: str, script: str, option: str = "--out") -> str:
    """Creates the output folder or exits with a message that names it."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        sys.exit(f"{script}: {option}: cannot create folder {path!r}: {e.strerror}")
    if not os.access(path, os.W_OK):
        sys.exit(f"{script}: {option}: expected a writable folder, found {path!r} read-only")
    return path
