"""Chapter 8's privacy-utility plane (the intruder's reconstructions are drawn with ``plots.image_grid``)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import plots  # noqa: F401  (big fonts)
from .evaluation import PrivacyUtility


def privacy_utility_figure(points: Sequence[PrivacyUtility], mean_guess: float, title: str,
                           highlight: float | None = None) -> plt.Figure:
    """Utility accuracy against the fresh intruder's reconstruction MSE, in the manner of Tseng & Wu's
    Fig. 5: CPGAN as grey stars (one per lambda), previous methods as coloured markers; up and right is better."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    markers = iter(["o", "s", "D", "^", "v"])
    for p in points:
        if p.lam is None:
            ax.scatter(p.intruder_mse, p.utility_accuracy, s=120, marker=next(markers), label=p.method, zorder=3)
    cp = [p for p in points if p.lam is not None]
    ax.plot([p.intruder_mse for p in cp], [p.utility_accuracy for p in cp], "*--", color="gray", ms=18,
            label="CPGAN (one star per lambda)", zorder=2)
    for i, p in enumerate(cp):
        big = highlight is not None and np.isclose(p.lam, highlight)
        ax.annotate(f"λ={p.lam:g}", (p.intruder_mse, p.utility_accuracy), textcoords="offset points",
                    xytext=(8, -16 if i % 2 else 10), fontsize=13 if big else 11, fontweight="bold" if big else "normal")
        if big:
            ax.scatter(p.intruder_mse, p.utility_accuracy, s=600, facecolors="none", edgecolors="red", lw=2.5)
    ax.axvline(mean_guess, color="k", ls=":", label="intruder guesses the mean")
    ax.set_xlabel("privacy: intruder's reconstruction MSE →")
    ax.set_ylabel("utility: test accuracy →")
    ax.set_title(title)
    ax.legend(fontsize=11, loc="lower left")
    fig.tight_layout()
    return fig
