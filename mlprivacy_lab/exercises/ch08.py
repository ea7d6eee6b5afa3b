"""Chapter 8 exercises: what a linear intruder recovers from a PCA release, and reading a privacy-utility plot."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from .core import Exercise, Mistake, number

X = np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 1.0], [3.0, 1.0, 0.0], [1.0, 2.0, 2.0], [4.0, 1.0, 1.0],
              [2.0, 3.0, 1.0]])
#: (utility accuracy, best intruder's reconstruction MSE) of six releases; higher is better on both axes.
POINTS = [(0.95, 0.010), (0.93, 0.030), (0.90, 0.020), (0.88, 0.045), (0.80, 0.040), (0.97, 0.005)]


def _intruder_mse() -> float:
    pca = PCA(n_components=1).fit(X)
    return float(np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2))


def _front(points: list[tuple[float, float]], privacy_sign: float = 1.0) -> tuple[int, ...]:
    """Indices of the points no other point beats on both axes (accuracy up, ``privacy_sign`` * MSE up)."""
    keys = [(a, privacy_sign * m) for a, m in points]
    return tuple(i for i, (a, m) in enumerate(keys)
                 if not any(b >= a and n >= m and (b, n) != (a, m) for b, n in keys))


def _indices(answer: object) -> tuple[int, ...]:
    if not isinstance(answer, (list, tuple, set)) or not all(isinstance(i, int) for i in answer):
        raise ValueError(f"expected a list of point indices (integers 0-5), got {answer!r}")
    return tuple(sorted(answer))


eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(X.T, bias=True)))[::-1]
EXERCISES = [
    Exercise(
        "08", "pca_intruder_mse",
        f"A data owner releases only the first principal component of each row of X = {X.tolist()} (6 samples, "
        "3 features). The best linear intruder reconstructs x from the release by the PCA inverse map. What is "
        "its reconstruction MSE, averaged over samples and features?",
        _intruder_mse,
        hint="what is lost is the variance along the two discarded axes: the eigenvalues of the covariance "
             "(divide by 6, not 5) that PCA drops, averaged over the 3 features.",
        common_mistakes=[
            Mistake(float(eigenvalues[1:].sum()), "that is the total lost variance per sample: divide by the "
                                                  "3 features to get the mean squared error per entry."),
            Mistake(float(eigenvalues[0] / 3), "that is the variance the release keeps; the error is the "
                                               "variance it drops."),
            Mistake(float(np.sort(np.linalg.eigvalsh(np.cov(X.T)))[:2].sum() / 3),
                    "np.cov divides by n - 1; the intruder's mean error over these 6 rows divides by n."),
        ],
        prepare=number(),
        explanation="PCA keeps the most variance, so it is the easiest release to invert: the reason CPGAN "
                    "trains against an intruder.",
        given={"X": X.tolist()},
    ),
    Exercise(
        "08", "dominating_releases",
        f"Six releases score (accuracy, intruder MSE) = {POINTS} (indices 0 to 5). Higher accuracy is more "
        "useful, higher intruder MSE more private. Which indices lie on the privacy-utility front, i.e. no "
        "other point is at least as good on both axes and better on one?",
        lambda: _front(POINTS),
        hint="for each point, look for another with accuracy >= and MSE >= (not both equal).",
        common_mistakes=[
            Mistake(_front(POINTS, privacy_sign=-1.0), "you treated a low intruder MSE as good: a high MSE means "
                                                       "the intruder reconstructs badly, which is the privacy."),
            Mistake((0, 1, 3, 4, 5), "point 4 is beaten by point 3 on both axes (more accurate and more "
                                     "private), so it is not on the front."),
        ],
        prepare=_indices,
        explanation="the lecture's comparison plot reads exactly like this: CPGAN's points sit on the front.",
        given={"points": POINTS},
    ),
]
