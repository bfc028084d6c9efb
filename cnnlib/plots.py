"""Plotting helpers for the notebooks (matplotlib), written once.

Each function draws into a new figure and returns it; the notebook cell ends with
``plt.show()`` so no figure repr is left as text output. Text inside figures is kept ASCII
(English): a Korean title needs a Korean font, which many machines lack (matplotlib then
warns on stderr and draws boxes); the notebooks say the Korean words in the prose.
"""

from __future__ import annotations

import numpy as np

__all__ = ["image_grid"]


def image_grid(images, titles=None, *, ncols=None, cmap="gray", vmin=None, vmax=None, size=1.5,
               row_labels=None, suptitle=None):
    """Show 2-D images in a grid.

    images: sequence of (H, W) arrays, or an array (K, H, W) or (R, K, H, W) (R rows of K).
    titles: one string per image (or None); row_labels: one string per row (left of it).
    vmin/vmax: shared colour limits (None: per image). Returns the figure.
    """
    import matplotlib.pyplot as plt

    arr = [np.asarray(im) for im in images] if not isinstance(images, np.ndarray) else images
    if isinstance(arr, np.ndarray) and arr.ndim == 4:
        rows, ncols = arr.shape[:2]
        flat = list(arr.reshape(-1, *arr.shape[2:]))
    else:
        flat = list(arr)
        ncols = ncols or len(flat)
        rows = -(-len(flat) // ncols)
    if any(np.ndim(im) != 2 for im in flat):
        raise ValueError("image_grid needs 2-D images (H, W); for (C, H, W) pass one channel at a time.")
    fig, axes = plt.subplots(rows, ncols, figsize=(size * ncols, size * rows + (0.3 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(flat):
            ax.axis("off")
            continue
        ax.imshow(flat[i], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if titles is not None and titles[i]:
            ax.set_title(titles[i], fontsize=9)
    if row_labels is not None:
        for r, label in enumerate(row_labels):
            axes[r, 0].set_ylabel(label, fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig
