"""Chapter 6 exercises: the scatter matrix from the owners' shares, and what its first axis explains."""

from __future__ import annotations

import numpy as np

from ..protocols.private_pca import pca_share
from .core import Exercise, Mistake, array_of_shape, number

OWNERS = [np.array([[1.0, 2.0], [3.0, 1.0]]), np.array([[0.0, 1.0], [2.0, 2.0], [1.0, 0.0]]),
          np.array([[4.0, 3.0]])]


def _unpack(share: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """R (from its upper triangle), v and N from one owner's ``pca_share`` vector (d = 2)."""
    r11, r12, r22, v1, v2, n = share
    return np.array([[r11, r12], [r12, r22]]), np.array([v1, v2]), n


SHARES = [_unpack(pca_share(X)) for X in OWNERS]
R = sum(s[0] for s in SHARES)
V = sum(s[1] for s in SHARES)
N = sum(s[2] for s in SHARES)


def _scatter() -> np.ndarray:
    pooled = np.vstack(OWNERS)
    return np.cov(pooled.T, bias=True) * len(pooled)


def _explained() -> float:
    eigenvalues = np.linalg.eigvalsh(_scatter())
    return float(eigenvalues[-1] / eigenvalues.sum())


def _shares_text() -> str:
    return "; ".join(f"owner {i + 1}: R = {r.tolist()}, v = {v.tolist()}, N = {int(n)}"
                     for i, (r, v, n) in enumerate(SHARES))


EXERCISES = [
    Exercise(
        "06", "scatter_from_shares",
        "Three data owners send only their shares R_i = sum x x^T, v_i = sum x and N_i (" + _shares_text() +
        "). Compute the scatter matrix S = sum over all samples of (x - mean)(x - mean)^T, a 2 x 2 array, "
        "from the shares alone.",
        _scatter,
        hint="add the shares first (R, v, N), then use S = R - v v^T / N.",
        common_mistakes=[
            Mistake(R - np.outer(V, V), "you forgot to divide v v^T by N."),
            Mistake(R, "R alone is not centred: subtract v v^T / N."),
            Mistake(sum(r - np.outer(v, v) / n for r, v, n in SHARES),
                    "you centred each owner on its own mean: add the shares first, then centre once with the "
                    "global v and N."),
            Mistake((R - np.outer(V, V) / N) / N, "that is the covariance S / N: same axes, but the question "
                                                  "asks for S."),
        ],
        prepare=array_of_shape(2, 2),
        explanation="the data user gets these sums under Paillier, never one owner's R_i or v_i.",
        given={"shares": [{"R": r.tolist(), "v": v.tolist(), "N": int(n)} for r, v, n in SHARES]},
    ),
    Exercise(
        "06", "explained_variance",
        "What fraction of the total variance does the first principal axis of that S explain?",
        _explained,
        hint="the eigenvalues of S are the variances along the axes; divide the largest by their sum.",
        common_mistakes=[
            Mistake(float(np.linalg.eigvalsh(_scatter())[0] / np.trace(_scatter())),
                    "that is the smallest eigenvalue's share: the first axis has the largest."),
            Mistake(float(np.linalg.eigvalsh(R)[-1] / np.trace(R)),
                    "you used the uncentred R: the axes of variance come from S = R - v v^T / N."),
        ],
        prepare=number(),
        explanation="in chapter 6 the garbled circuit finds this axis without anyone seeing S.",
    ),
]
