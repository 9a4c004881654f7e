"""Peers for `scripts/bench similarity`: rsatoolbox (RDM + Spearman comparison) and numpy (Kornblith et al.'s
feature-space linear CKA), with the same names and timing rule as bm-bench (one warm-up call, then the best of N).

Needs rsatoolbox in the benchmark venv (`pip install rsatoolbox`); without it only the numpy figure is printed."""
import json
import time

import numpy as np


def best_time(body, repeats=3):
    body()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def feature_space_linear_cka(features_x, features_y):
    """Kornblith et al. (2019), reference implementation (google-research/google-research, representation_similarity)."""
    features_x = features_x - np.mean(features_x, 0, keepdims=True)
    features_y = features_y - np.mean(features_y, 0, keepdims=True)
    dot_product_similarity = np.linalg.norm(features_x.T.dot(features_y)) ** 2
    normalization_x = np.linalg.norm(features_x.T.dot(features_x))
    normalization_y = np.linalg.norm(features_y.T.dot(features_y))
    return dot_product_similarity / (normalization_x * normalization_y)


def main():
    rng = np.random.default_rng(0)
    figures = {}
    try:
        from rsatoolbox.data import Dataset
        from rsatoolbox.rdm import calc_rdm, compare

        activations = rng.standard_normal((1000, 4096)).astype(np.float32)
        other = calc_rdm(Dataset(rng.standard_normal((1000, 64)).astype(np.float32)), method="correlation")
        figures["rdm_correlation_1000x4096"] = best_time(lambda: calc_rdm(Dataset(activations), method="correlation"))
        figures["rdm_and_spearman_1000x4096"] = best_time(
            lambda: compare(calc_rdm(Dataset(activations), method="correlation"), other, method="spearman"))
        first = calc_rdm(Dataset(activations), method="correlation")
        figures["spearman_compare_1000"] = best_time(lambda: compare(first, other, method="spearman"))
    except ImportError as error:
        print(json.dumps({"name": "note", "message": f"rsatoolbox figures skipped: {error}"}))
    x = rng.standard_normal((5000, 2048)).astype(np.float32)
    y = rng.standard_normal((5000, 2048)).astype(np.float32)
    figures["cka_linear_5000x2048"] = best_time(lambda: feature_space_linear_cka(x, y))
    for name, seconds in figures.items():
        print(json.dumps({"name": name, "seconds": seconds}))
    print(json.dumps({"name": "numpy_version", "version": np.__version__}))


if __name__ == "__main__":
    main()
