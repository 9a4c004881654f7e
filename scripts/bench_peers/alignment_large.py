"""Writes the data of `scripts/bench alignment-large` (bm-bench reads it; nothing here is timed):

HDF5 file with x [8000, 1024] float32 and y [8000, T] float32 (default T = 200 000, 6.4 GB), y chunked by column
blocks [8000, 256] so that a column-block read touches only its own chunks. y = x A B + 2·noise with A [1024, 64],
B [64, T] (a low-rank signal keeps the generation cheap), written block by block so that memory stays small.

usage: alignment_large.py PATH [TARGETS]
"""
import sys

import h5py
import numpy as np


def main():
    path = sys.argv[1]
    targets = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    rows, features, rank, block = 8000, 1024, 64, 4096
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, features), dtype=np.float32)
    mixing = (x @ (rng.standard_normal((features, rank), dtype=np.float32) / np.sqrt(features))).astype(np.float32)
    with h5py.File(path + ".partial", "w") as file:
        file.create_dataset("x", data=x)
        y = file.create_dataset("y", shape=(rows, targets), dtype=np.float32, chunks=(rows, 256))
        for start in range(0, targets, block):
            width = min(block, targets - start)
            values = mixing @ (0.3 * rng.standard_normal((rank, width), dtype=np.float32))
            values += 2 * rng.standard_normal((rows, width), dtype=np.float32)
            y[:, start:start + width] = values
    import os
    os.replace(path + ".partial", path)


if __name__ == "__main__":
    main()
