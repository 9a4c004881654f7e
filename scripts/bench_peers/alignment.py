"""Peers for `scripts/bench alignment`: himalaya (numpy backend) and scikit-learn on bm-bench's ridge problem.

Ridge CV with a penalty per target, N=2000, P=512, T=10 000, alphas = logspace(-1, 6, 15), float32:
  - himalaya RidgeCV(alphas, cv=KFold(5), fit_intercept=True): the same 5 contiguous folds as bm;
  - scikit-learn RidgeCV(alphas, alpha_per_target=True, fit_intercept=True): its efficient leave-one-out (the only
    cross-validation with which scikit-learn chooses an alpha per target).
Timing as bm-bench's alignment suite: one small warm-up fit, then one timed fit. Prints one JSON line per figure.
The peers are installed by scripts/bench from alignment.txt (pinned versions).
"""
import json
import resource
import sys
import time

import numpy as np
import himalaya
import sklearn
from himalaya.backend import set_backend
from himalaya.ridge import RidgeCV
from sklearn.linear_model import RidgeCV as SklearnRidgeCV
from sklearn.model_selection import KFold


def timed(body):
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


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
    figures = {
        "ridge_cv_vs_himalaya": timed(lambda: himalaya_fit(X, Y)),
        "ridge_cv_vs_sklearn": timed(lambda: sklearn_fit(X, Y)),
    }
    for name, seconds in figures.items():
        print(json.dumps({"name": name, "seconds": seconds}))
    print(json.dumps({"name": "peer_peak_rss", "seconds": 0,
                      "bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    print(json.dumps({"name": "numpy_version", "version": np.__version__,
                      "himalaya": himalaya.__version__, "scikit-learn": sklearn.__version__}))


if __name__ == "__main__":
    main()
