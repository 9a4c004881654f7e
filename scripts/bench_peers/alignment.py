"""Peers for `scripts/bench alignment`: himalaya (numpy backend) and scikit-learn on bm-bench's problems.

Ridge CV with a penalty per target, N=2000, P=512, T=10 000, alphas = logspace(-1, 6, 15), float32:
  - himalaya RidgeCV(alphas, cv=KFold(5), fit_intercept=True): the same 5 contiguous folds as bm;
  - scikit-learn RidgeCV(alphas, alpha_per_target=True, fit_intercept=True): its efficient leave-one-out (the only
    cross-validation with which scikit-learn chooses an alpha per target).
Banded ridge: himalaya GroupRidgeCV(solver="random_search") on bm-bench's own data and band weightings γ (read from
the folder BM_BENCH_EXCHANGE that bm-bench wrote: 3 bands of 256/128/128 features, 2000 training rows, 500 held-out
rows, T = 10 000, the same 20 γ, the same 15 alphas and 5 folds, neg-MSE scoring), and the agreement of the answers:
held-out R² per target and cross-validated scores, himalaya against bm.
Timing as bm-bench's alignment suite: one small warm-up fit, then one timed fit. Prints one JSON line per figure.
The peers are installed by scripts/bench from alignment.txt (pinned versions).
"""
import json
import os
import resource
import time

import numpy as np
import himalaya
import sklearn
from himalaya.backend import set_backend
from himalaya.ridge import GroupRidgeCV, RidgeCV
from sklearn.linear_model import RidgeCV as SklearnRidgeCV
from sklearn.model_selection import KFold


def timed(body):
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def r2_per_column(truth, prediction):
    truth = truth.astype(np.float64)
    residual = ((truth - prediction) ** 2).sum(0)
    total = ((truth - truth.mean(0)) ** 2).sum(0)
    return 1 - residual / total


def banded(folder, alphas):
    """himalaya's banded ridge on bm's data and γ; returns its figures and the agreement with bm's answers."""
    x = np.load(os.path.join(folder, "banded_x.npy"))
    y = np.load(os.path.join(folder, "banded_y.npy"))
    gammas = np.load(os.path.join(folder, "banded_gammas.npy"))
    bm_test_r2 = np.load(os.path.join(folder, "banded_bm_test_r2.npy"))
    bm_cv = np.load(os.path.join(folder, "banded_bm_cv_scores.npy"))
    sizes, training = [256, 128, 128], 2000
    starts = np.cumsum([0] + sizes)
    bands = [x[:, starts[b]:starts[b + 1]] for b in range(len(sizes))]

    def fit(rows, targets, weights):
        model = GroupRidgeCV(groups="input", solver="random_search", fit_intercept=True, cv=KFold(5),
                             solver_params=dict(n_iter=weights, alphas=alphas, progress_bar=False))
        return model.fit([band[rows] for band in bands], y[rows][:, targets])

    fit(slice(0, 200), slice(0, 64), gammas[:2])
    start = time.perf_counter()
    model = fit(slice(0, training), slice(None), gammas)
    seconds = time.perf_counter() - start
    test_r2 = r2_per_column(y[training:], model.predict([band[training:] for band in bands]))
    both = np.isfinite(test_r2) & np.isfinite(bm_test_r2)
    cv_difference = np.abs(np.asarray(model.cv_scores_) - bm_cv)
    return {"name": "banded_ridge_vs_himalaya", "seconds": seconds,
            "held_out_r2_max_abs_difference": float(np.max(np.abs(test_r2[both] - bm_test_r2[both]))),
            "held_out_r2_mean_abs_difference": float(np.mean(np.abs(test_r2[both] - bm_test_r2[both]))),
            "cv_score_max_relative_difference": float(np.nanmax(cv_difference / np.abs(bm_cv))),
            "himalaya_mean_held_out_r2": float(np.mean(test_r2[both]))}


def main():
    set_backend("numpy")
    rows, features, targets = 2000, 512, 10_000
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    Y = (X @ (0.05 * rng.standard_normal((features, targets), dtype=np.float32))
         + 2 * rng.standard_normal((rows, targets), dtype=np.float32))
    alphas = np.logspace(-1, 6, 15)

    def himalaya_fit(x, y):
        RidgeCV(alphas=alphas, cv=KFold(5), fit_intercept=True,
                solver_params=dict(warn=False)).fit(x, y)

    def sklearn_fit(x, y):
        SklearnRidgeCV(alphas=alphas, alpha_per_target=True, fit_intercept=True).fit(x, y)

    himalaya_fit(X[:200], Y[:200, :64])
    sklearn_fit(X[:200], Y[:200, :64])
    figures = [
        {"name": "ridge_cv_vs_himalaya", "seconds": timed(lambda: himalaya_fit(X, Y))},
        {"name": "ridge_cv_vs_sklearn", "seconds": timed(lambda: sklearn_fit(X, Y))},
    ]
    del X, Y
    folder = os.environ.get("BM_BENCH_EXCHANGE")
    if folder and os.path.exists(os.path.join(folder, "banded_x.npy")):
        figures.append(banded(folder, alphas))
    else:
        figures.append({"name": "note", "message": "banded ridge skipped: bm-bench wrote no exchange folder"})
    for figure in figures:
        print(json.dumps(figure))
    print(json.dumps({"name": "peer_peak_rss", "seconds": 0,
                      "bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    print(json.dumps({"name": "numpy_version", "version": np.__version__,
                      "himalaya": himalaya.__version__, "scikit-learn": sklearn.__version__}))


if __name__ == "__main__":
    main()
