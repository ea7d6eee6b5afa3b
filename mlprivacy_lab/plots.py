"""Figures shared by chapters, sized to read at a distance when presented."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

plt.rcParams.update({"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14, "figure.dpi": 100})


def digit_with_confidences(image: np.ndarray, confidences: np.ndarray, title: str = "",
                           label: int | None = None) -> plt.Figure:
    """The lecture's first slide: a test input beside the model's confidence for every class."""
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1, 1.6]})
    ax_img.imshow(image, cmap="gray_r")
    ax_img.set_axis_off()
    ax_img.set_title("test input" + (f" (true label {label})" if label is not None else ""))
    classes = np.arange(len(confidences))
    bars = ax_bar.barh(classes, confidences, color="tab:blue")
    best = int(np.argmax(confidences))
    bars[best].set_color("tab:red")
    for c, p in zip(classes, confidences):
        ax_bar.text(min(p, 1.0) + 0.01, c, f"{100 * p:.4g}%" if p > 0 else "hidden", va="center", fontsize=12)
    ax_bar.set_yticks(classes)
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1.25)
    ax_bar.set_xlabel("confidence")
    ax_bar.set_title(title or "test output")
    fig.tight_layout()
    return fig


def image_grid(rows: dict[str, np.ndarray], title: str | None = None) -> plt.Figure:
    """One labelled row of images per entry (each an array of shaped images, pixels in [0, 1]), for
    reconstructions side by side: chapter 1's remedies, chapter 8's intruders."""
    n = max(len(images) for images in rows.values())
    fig, axes = plt.subplots(len(rows), n, figsize=(1.3 * n + 2.5, 1.4 * len(rows)), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(n):
            if c < len(images):
                axes[r, c].imshow(np.clip(images[c], 0, 1), cmap="gray_r", vmin=0, vmax=1)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=12)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
