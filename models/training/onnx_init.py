"""Starts a torchvision detector's trunk from one of our exported street graphs (models/*/
model.onnx): the small backbone, the FPN, the RPN head and the box head's two MLP layers, so
a new model on a new world (the plaza's people) does not learn edges and the pyramid again.

The export folds each BatchNorm into the conv before it, so a folded conv `W, b` comes back as
the conv `W` and a BatchNorm that passes its input through and adds `b` (weight 1, bias b,
running mean 0, running variance 1 - eps). The FPN, RPN and box head keep their names in the
graph ("model.<name>"); the body's convs are found by their node names
("/backbone/body/layer1/down/down.0/Conv" -> backbone.body.layer1.down.0 and .1).

Example:
    loaded = load_trunk_from_onnx(model, "../street-maskrcnn/model.onnx")
    print(f"{loaded} tensors from the street model")
"""

from __future__ import annotations

import sys

import numpy as np
import torch

TRUNK_PREFIXES = ("backbone.fpn.", "rpn.head.", "roi_heads.box_head.")


def load_trunk_from_onnx(model: torch.nn.Module, path: str, everything: bool = False) -> int:
    """Copies the trunk's weights from the ONNX graph at `path` into `model` (in place) and
    returns how many tensors were set; exits with a message naming the tensor that does not
    fit. `everything`: also every other weight the graph names ("model.<name>") that the
    model has with the same shape, e.g. a whole Keypoint R-CNN from its own export, to go on
    training a shipped model (the heads of another kind or class count are left as they
    are)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = model.state_dict()
    new = {}
    for name, value in inits.items():
        # A keypoint export wraps the backbone (keypoint_raw.Tap): backbone.inner.* is backbone.*
        key = name[len("model."):].replace("backbone.inner.", "backbone.") \
            if name.startswith("model.") else None
        if key and key.startswith(TRUNK_PREFIXES) and key in state:
            new[key] = torch.from_numpy(value.copy())
        elif everything and key in state and tuple(state[key].shape) == value.shape:
            new[key] = torch.from_numpy(value.copy())
    for node in graph.node:
        node_name = node.name.replace("/backbone/inner/", "/backbone/")
        if node.op_type != "Conv" or not node_name.startswith("/backbone/body/"):
            continue
        # "/backbone/body/layer1/down/down.0/Conv" -> "backbone.body.layer1.down", "0"
        parts = node_name.strip("/").split("/")[:-1]
        conv = ".".join(parts[:-1] + [parts[-1].split(".")[-1]])
        base, index = conv.rsplit(".", 1)
        bn = f"{base}.{int(index) + 1}"
        weight, bias = (inits[i] for i in node.input[1:3])
        bn_module = model.get_submodule(bn)
        new[f"{conv}.weight"] = torch.from_numpy(weight.copy())
        new[f"{bn}.weight"] = torch.ones(len(bias))
        new[f"{bn}.bias"] = torch.from_numpy(bias.copy())
        new[f"{bn}.running_mean"] = torch.zeros(len(bias))
        new[f"{bn}.running_var"] = torch.full((len(bias),), 1.0 - bn_module.eps)
    for key, value in new.items():
        if key not in state or state[key].shape != value.shape:
            found = tuple(state[key].shape) if key in state else "no such tensor"
            sys.exit(f"onnx_init: {path}: {key}: expected shape {tuple(value.shape)} in the "
                     f"model, found {found}")
    model.load_state_dict(new, strict=False)
    return len(new)
