"""h5py's, numpy's and Pillow's figures for `scripts/bench datasets`, with the same names and the same timing rule as
bm-bench (one warm-up call, then the best of N). Files are written once into a temporary folder, removed at the end."""
import json
import os
import tempfile
import time

import h5py
import numpy as np
import PIL
from PIL import Image


def best_time(body, repeats=5):
    body()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    figures = {}
    side = 16_384
    data = np.random.default_rng(11).uniform(0, 1, (side, side)).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="bm-bench-datasets-") as folder:
        hdf5_path = os.path.join(folder, "big.h5")
        npy_path = os.path.join(folder, "big.npy")
        with h5py.File(hdf5_path, "w") as file:
            file.create_dataset("data", data=data)
        np.save(npy_path, data)
        del data

        def read_hdf5():
            with h5py.File(hdf5_path, "r") as file:
                return file["data"][()]

        def read_blocks():
            with h5py.File(hdf5_path, "r") as file:
                dataset = file["data"]
                for start in range(0, side, 1024):
                    dataset[start:start + 1024]

        figures["h5_read_f32_1gib"] = best_time(read_hdf5, 5)
        figures["npy_load_f32_1gib"] = best_time(lambda: np.load(npy_path), 5)
        figures["npy_map_f32_1gib"] = best_time(lambda: np.load(npy_path, mmap_mode="r"), 5)
        figures["h5_blocks_1024_rows_f32_1gib"] = best_time(read_blocks, 3)

    stimuli = "../shared/data/kriegeskorte92/stimuli"
    if os.path.isdir(stimuli):
        files = sorted(os.path.join(stimuli, name) for name in os.listdir(stimuli) if name.endswith(".png"))

        def load_folder():
            return np.stack([np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255 for path in files])

        figures["png_folder_k92_92x175x175"] = best_time(load_folder, 5)
    for name, seconds in figures.items():
        print(json.dumps({"name": name, "seconds": seconds}))
    print(json.dumps({"name": "numpy_version",
                      "version": f"{np.__version__}, h5py {h5py.__version__}, Pillow {PIL.__version__}"}))


if __name__ == "__main__":
    main()
