"""Chapter 3's figures: neighbouring output distributions, and ROC curves inside the DP region."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import plots  # noqa: F401  (sets the shared, large-font rcParams)
from ..attacks import metrics
from .audit import dp_roc_bound
from .mechanisms import Mechanism


def neighbouring_outputs(mechanisms: dict[str, Mechanism], value: float, neighbour_value: float,
                         labels: tuple[str, str] = ("θ₁ = M(X)", "θ₂ = M(X′)")) -> plt.Figure:
    """The lecture's DP slide, live: for each mechanism, the densities of its output on X and on a neighbour X'
    (top), and the privacy loss L(θ) = ln p(θ | X) / p(θ | X') with the band |L| <= epsilon (bottom)."""
    fig, axes = plt.subplots(2, len(mechanisms), figsize=(6.5 * len(mechanisms), 7.5), sharex="col", squeeze=False,
                             gridspec_kw={"height_ratios": [1.3, 1]})
    for col, (name, mech) in enumerate(mechanisms.items()):
        lo, hi = min(value, neighbour_value) - 5 * mech.scale, max(value, neighbour_value) + 5 * mech.scale
        grid = np.linspace(lo, hi, 2001)
        top, bottom = axes[0, col], axes[1, col]
        for center, label, color in ((value, labels[0], "tab:blue"), (neighbour_value, labels[1], "tab:orange")):
            top.plot(grid, np.exp(mech.log_pdf(grid, center)), lw=2.5, color=color, label=label)
            top.axvline(center, color=color, ls=":", lw=1.5)
        top.set_title(f"{name}: ε = {mech.epsilon:.3g}" + (f", δ = {mech.delta:.0e}" if mech.delta else ""))
        top.set_ylabel("density")
        top.legend(fontsize=12, loc="upper right")
        loss = mech.privacy_loss(grid, value, neighbour_value)
        outside = np.abs(loss) > mech.epsilon
        bottom.plot(grid, loss, lw=2.5, color="tab:green", label="privacy loss L(θ)")
        bottom.axhspan(-mech.epsilon, mech.epsilon, color="tab:green", alpha=0.12, label="|L| ≤ ε")
        if outside.any():
            bottom.fill_between(grid, loss, np.clip(loss, -mech.epsilon, mech.epsilon), where=outside,
                                color="tab:red", alpha=0.4, label="|L| > ε (paid for by δ)")
        bottom.set_ylim(-3 * mech.epsilon, 3 * mech.epsilon)
        bottom.set_xlabel("released θ")
        bottom.set_ylabel("L(θ)")
        bottom.legend(fontsize=11, loc="lower left")
    fig.tight_layout()
    return fig


def roc_in_dp_region(results: dict[str, tuple[np.ndarray, np.ndarray]], epsilon: float | None, delta: float,
                     ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Log-log ROC curves of attacks (``{name: (scores, is_member)}``, drawn by ``attacks.metrics.plot_roc``)
    with the part of the plane that (epsilon, delta)-DP forbids shaded (TPR > e^eps FPR + delta ...)."""
    ax = metrics.plot_roc(results, ax=ax, title=title or (f"ε = {epsilon:g}" if epsilon else "non-private"))
    if epsilon is not None:
        fpr = np.logspace(np.log10(ax.get_xlim()[0]), 0, 400)
        bound = dp_roc_bound(fpr, epsilon, delta)
        ax.fill_between(fpr, bound, 1, color="tab:red", alpha=0.15, label=f"forbidden by ({epsilon:g}, {delta:.0e})-DP")
        ax.plot(fpr, bound, color="tab:red", lw=2)
        ax.legend(fontsize=10, loc="lower right")
    return ax
