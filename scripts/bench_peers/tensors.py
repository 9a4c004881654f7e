"""numpy's figures for `scripts/bench tensors`, with the same names and the same timing rule as bm-bench
(one warm-up call, then the best of N)."""
import json
import time

import numpy as np


def best_time(body, repeats=5):
    body()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    rng = np.random.default_rng(0)
    n = 10_000_000
    a = rng.uniform(-1, 1, n).astype(np.float32)
    b = rng.uniform(-1, 1, n).astype(np.float32)
    figures = {
        "add_f32_1e7": best_time(lambda: a + b, 10),
        "mul_f32_1e7": best_time(lambda: a * b, 10),
        "sum_f32_1e7": best_time(lambda: a.sum(), 10),
        "exp_f32_1e7": best_time(lambda: np.exp(a), 5),
    }
    matrix = rng.standard_normal((4000, 1000)).astype(np.float32)
    figures["sum_axis0_f32_4000x1000"] = best_time(lambda: matrix.sum(axis=0), 10)
    figures["mean_axis1_f32_4000x1000"] = best_time(lambda: matrix.mean(axis=1), 10)
    try:
        figures.update(linear_algebra(rng))
    except Exception as error:  # keep the elementwise figures if a LAPACK call fails
        print(json.dumps({"name": "error", "message": str(error)}))
    for name, seconds in figures.items():
        print(json.dumps({"name": name, "seconds": seconds}))
    print(json.dumps({"name": "numpy_version", "version": np.__version__}))


def linear_algebra(rng):
    figures = {}
    x = rng.standard_normal((2048, 2048)).astype(np.float32)
    y = rng.standard_normal((2048, 2048)).astype(np.float32)
    figures["matmul_f32_2048"] = best_time(lambda: x @ y, 5)
    tall = rng.standard_normal((4000, 1000))
    figures["svd_f64_4000x1000"] = best_time(lambda: np.linalg.svd(tall, full_matrices=False), 3)
    square = rng.standard_normal((2000, 2000))
    symmetric = square @ square.T
    figures["eigh_f64_2000"] = best_time(lambda: np.linalg.eigh(symmetric), 3)
    return figures


if __name__ == "__main__":
    main()
