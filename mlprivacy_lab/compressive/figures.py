"""Chapter 8's privacy-utility plane (the intruder's reconstructions are drawn with ``plots.image_grid``)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import plots  # noqa: F401  (big fonts)
from .evaluation import UNPROTECTED, PrivacyUtility

STYLES = {"PCA": ("o", "tab:blue"), "DCA": ("s", "tab:green"), "random projection": ("D", "tab:orange"),
          "noisy PCA": ("^", "tab:purple")}


def family(method: str) -> str:
    """A point's method without its knob: ``"noisy PCA (sigma=1)"`` -> ``"noisy PCA"``."""
    return method.split(" (")[0]


def privacy_utility_figure(points: Sequence[PrivacyUtility], mean_guess: float, title: str,
                           highlight: float | None = None) -> plt.Figure:
    """Utility accuracy against the best intruder's reconstruction MSE, in the manner of Tseng & Wu's
    Fig. 5: CPGAN as grey stars (one per lambda), each previous method as a coloured line across its knob,
    the unprotected DNN as a black cross at MSE 0; up and right is better."""
    fig, ax = plt.subplots(figsize=(10, 6))
    for name, (marker, colour) in STYLES.items():
        mine = sorted((p for p in points if family(p.method) == name), key=lambda p: p.intruder_mse)
        if mine:
            ax.plot([p.intruder_mse for p in mine], [p.utility_accuracy for p in mine], marker=marker, color=colour,
                    ms=10, lw=1, alpha=0.8, label=f"{name} ({len(mine)} settings)", zorder=3)
    dnn = [p for p in points if p.method == UNPROTECTED]
    if dnn:
        ax.scatter([0.0], [dnn[0].utility_accuracy], marker="X", s=200, color="k", label=UNPROTECTED, zorder=4)
    cp = sorted((p for p in points if p.lam is not None), key=lambda p: p.lam)
    ax.plot([p.intruder_mse for p in cp], [p.utility_accuracy for p in cp], "*--", color="gray", ms=18,
            label="CPGAN (one star per λ)", zorder=2)
    for i, p in enumerate(cp):
        big = highlight is not None and np.isclose(p.lam, highlight)
        ax.annotate(f"λ={p.lam:g}", (p.intruder_mse, p.utility_accuracy), textcoords="offset points",
                    xytext=(8, -16 if i % 2 else 10), fontsize=13 if big else 11, fontweight="bold" if big else "normal")
        if big:
            ax.scatter(p.intruder_mse, p.utility_accuracy, s=600, facecolors="none", edgecolors="red", lw=2.5)
    ax.axvline(mean_guess, color="k", ls=":", label="intruder guesses the mean")
    ax.set_xlabel("privacy: best intruder's reconstruction MSE →")
    ax.set_ylabel("utility: test accuracy →")
    ax.set_title(title)
    ax.legend(fontsize=10, loc="lower left")
    fig.tight_layout()
    return fig
