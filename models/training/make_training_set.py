"""Pre-renders the training set into .npy files (images, instance ids, semantic labels and
per-frame categories) at the model's input size, so training spends its cores on the
network. Sequences use seeds from 100000 up: the held-out/demo seeds are below that.

Usage: python3 make_training_set.py OUT_DIR --frames 6000 [--size 288x512] [--shard 0/2]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from dataset import training_sample
from world import Sequence

FRAMES_PER_SEQUENCE = 4
TRAIN_SEED_BASE = 100000


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=6000)
    ap.add_argument("--size", default="288x512", help="HxW of the model input")
    ap.add_argument("--shard", default="0/1", help="k/n: write every n-th sequence from k")
    ap.add_argument("--from-sequence", type=int, default=0, help="skip sequences below this")
    args = ap.parse_args(argv)
    h, w = (int(v) for v in args.size.split("x"))
    k, n = (int(v) for v in args.shard.split("/"))
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit(f"make_training_set: cannot create output folder {args.out!r}: {e.strerror}")
    N = args.frames
    mode = "r+" if os.path.exists(f"{args.out}/images.npy") else "w+"
    open_ = np.lib.format.open_memmap
    images = open_(f"{args.out}/images.npy", mode, np.uint8, (N, h, w, 3))
    ids = open_(f"{args.out}/ids.npy", mode, np.int16, (N, h, w))
    semantic = open_(f"{args.out}/semantic.npy", mode, np.uint8, (N, h, w))
    cats = open_(f"{args.out}/cats.npy", mode, np.int8, (N, 256))
    for s in range(k, N // FRAMES_PER_SEQUENCE, n):
        if s < args.from_sequence:
            continue
        seq = Sequence(TRAIN_SEED_BASE + s)
        rng = np.random.default_rng(TRAIN_SEED_BASE + s)
        for j, t in enumerate(rng.integers(0, 300, FRAMES_PER_SEQUENCE)):
            i = s * FRAMES_PER_SEQUENCE + j
            images[i], ids[i], cats[i], semantic[i] = training_sample(seq.render(int(t)), (h, w), rng)
        if s % 100 == k:
            print(f"shard {k}/{n}: sequence {s}", flush=True)
    for a in (images, ids, semantic, cats):
        a.flush()


if __name__ == "__main__":
    main()
