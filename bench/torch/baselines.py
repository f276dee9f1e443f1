"""Torch baselines that `deno task bench` runs as a subprocess, on inputs it wrote.

Usage: /usr/bin/python3 bench/torch/baselines.py <matrix_nms|paste> <input.json> <threads>

The input JSON names raw little-endian files next to it. Each baseline runs the
reference algorithm (tests/fixtures/references.py: SOLO's matrix_nms, detectron2's
paste_masks_in_image, both pure torch) on the CPU with torch.set_num_threads(threads), times
it over repeated rounds (median), writes its outputs next to the input for the bench to
compare, and prints one JSON line: {"ms": median milliseconds, "rounds": n}.
"""

import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures"))
from references import paste_masks_in_image, solo_matrix_nms  # noqa: E402


def load(spec, folder, key, dtype, shape):
    return np.fromfile(os.path.join(folder, spec[key]), dtype=dtype).reshape(shape)


def timed(fn, min_rounds=5, min_seconds=1.0):
    t0 = time.perf_counter()
    fn()  # warm-up
    if time.perf_counter() - t0 > min_seconds:
        min_rounds = 3  # seconds per round: three are enough for a median
    times, start = [], time.perf_counter()
    while len(times) < min_rounds or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), len(times), out


def matrix_nms(spec, folder):
    n, size = spec["n"], spec["size"]
    masks = torch.from_numpy(load(spec, folder, "masks", np.uint8, (n, size, size)).astype(bool))
    labels = torch.from_numpy(load(spec, folder, "labels", np.int32, (n,)).astype(np.int64))
    scores = torch.from_numpy(load(spec, folder, "scores", np.float32, (n,)))

    def run():
        # As SOLOv2's get_seg_single: sort by score, then matrix_nms on the sorted masks.
        order = torch.sort(scores, descending=True, stable=True)[1]
        decayed = solo_matrix_nms(masks[order], labels[order], scores[order], kernel="gaussian", sigma=2.0)
        out = torch.empty_like(scores)
        out[order] = decayed
        return out

    ms, rounds, out = timed(run)
    out.numpy().astype("<f4").tofile(os.path.join(folder, "matrix_nms_torch.f32"))
    return ms, rounds


def paste(spec, folder):
    n, m, h, w = spec["n"], spec["maskSize"], spec["height"], spec["width"]
    masks = torch.from_numpy(load(spec, folder, "masks", np.float32, (n, m, m)))
    boxes = torch.from_numpy(load(spec, folder, "boxes", np.float32, (n, 4)))

    # detectron2's paste_masks_in_image as it runs on the CPU: one mask per chunk, each
    # pasted with grid_sample into the region its box touches, `>= 0.5`, written into the
    # N×H×W bool output.
    ms, rounds, pasted = timed(lambda: paste_masks_in_image(masks, boxes, (h, w)))
    pixels = int(pasted.sum())
    with open(os.path.join(folder, "paste_torch.json"), "w") as f:
        json.dump({"pixels": pixels}, f)
    return ms, rounds


def main():
    kind, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    with open(path) as f:
        spec = json.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    ms, rounds = {"matrix_nms": matrix_nms, "paste": paste}[kind](spec, folder)
    print(json.dumps({"ms": ms, "rounds": rounds, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
