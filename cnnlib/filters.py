"""What a layer's filters are (7.6): measurements behind the notebook's pictures.

* :func:`neighbour_correlation` — how smooth a filter is (random: about 0; learned: clearly > 0);
* :func:`grating_response` and :func:`edge_orientation` — which filters respond to vertical and to
  horizontal edges, measured with slowly varying oriented gratings instead of judged by eye;
* :data:`HAND_MADE` and :func:`cosine_similarity` — classic hand-designed 5x5 filters (Sobel,
  Laplacian of Gaussian, Gaussian) and how close each learned filter comes to them;
* :func:`blob_preference` (with :func:`spot_image` and :func:`edge_image`) — whether a filter answers a
  blob (a small bright spot) more than an edge, as a Laplacian of Gaussian does, or less, as Sobel does;
* :func:`gray_photo` and :func:`filter_maps` — apply filters to a real photograph.

Conventions: a filter bank is W (FN, C, FH, FW) as in :class:`cnnlib.Convolution`; images are
(N, C, H, W). An *orientation* angle is the direction in which brightness changes: 0° means
brightness changes from left to right, i.e. a **vertical** edge (what Sobel-x detects); 90° means a
**horizontal** edge. Orientations repeat every 180° (a grating turned by 180° is the same grating), so
170° is the same orientation as −10°: 10° away from vertical.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .images import sample_photo
from .layers import Convolution

__all__ = [
    "neighbour_correlation", "grating_response", "edge_orientation", "HAND_MADE", "cosine_similarity",
    "spot_image", "edge_image", "blob_preference", "gray_photo", "filter_maps",
]


def _filters_2d(W) -> np.ndarray:
    """(FN, FH, FW) from a one-channel filter bank (FN, 1, FH, FW) or (FN, FH, FW)."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim == 4:
        if W.shape[1] != 1:
            raise ValueError(f"This needs one-channel filters (FN, 1, FH, FW); got W of shape {W.shape}. "
                             "Pass one input channel at a time, e.g. W[:, [c]].")
        W = W[:, 0]
    if W.ndim != 3:
        raise ValueError(f"Filters must have shape (FN, 1, FH, FW) or (FN, FH, FW); got {W.shape}.")
    return W


# ---- how orderly a filter is ---------------------------------------------------------------------

def neighbour_correlation(W) -> np.ndarray:
    """(FN,) Pearson correlation between each weight and its right and lower neighbour, per filter.

    Independent random weights give values near 0; a filter made of smooth light and dark blobs
    (what training produces) gives clearly positive values."""
    F = _filters_2d(W)
    out = np.empty(len(F))
    for i, f in enumerate(F):
        a = np.concatenate([f[:, :-1].ravel(), f[:-1, :].ravel()])
        b = np.concatenate([f[:, 1:].ravel(), f[1:, :].ravel()])
        out[i] = np.corrcoef(a, b)[0, 1]
    return out


# ---- which edges a filter responds to ------------------------------------------------------------

def grating_response(W, angles_deg, period) -> np.ndarray:
    """(FN, len(angles)) amplitude of each filter's response to a sinusoidal grating.

    A grating cos(2π(x·cosθ + y·sinθ)/period + φ) slid under filter w gives, at every position,
    Σ w·grating; over all phases φ that sum swings between ±A with
    A = |Σ_{y,x} w[y, x]·exp(−2πi(x·cosθ + y·sinθ)/period)|. This returns A (so the answer does not
    depend on where the grating's stripes happen to fall)."""
    F = _filters_2d(W)
    FH, FW = F.shape[1:]
    y, x = np.mgrid[0:FH, 0:FW]
    theta = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    phase = (x[None] * np.cos(theta)[:, None, None] + y[None] * np.sin(theta)[:, None, None]) / period
    waves = np.exp(-2j * np.pi * phase)                       # (angles, FH, FW)
    return np.abs(np.einsum("fyx,ayx->fa", F, waves))


@dataclass(frozen=True)
class EdgeOrientation:
    """Each filter's response to gratings at every angle in ``angles`` (degrees, 0 ≤ angle < 180):
    ``responses`` (FN, angles); ``preferred`` (FN,) the angle of the largest response;
    ``selectivity`` (FN,) = (max − min)/(max + min) of the responses (1: it responds to one
    orientation only; 0: to all alike); ``contrast`` (FN,) = max − min, how much *more* it responds
    to its preferred orientation than to the worst one (a weak filter can be selective and still
    respond to nothing much). ``period`` is the grating period used, in pixels."""

    angles: np.ndarray
    responses: np.ndarray
    preferred: np.ndarray
    selectivity: np.ndarray
    contrast: np.ndarray
    period: float

    def strongest_near(self, angle_deg, tolerance_deg=15.0) -> int:
        """The filter with the largest ``contrast`` among those whose preferred angle lies within
        ``tolerance_deg`` of ``angle_deg`` (orientations repeat every 180°)."""
        gap = np.abs((self.preferred - angle_deg + 90.0) % 180.0 - 90.0)
        near = np.flatnonzero(gap <= tolerance_deg)
        if near.size == 0:
            raise ValueError(f"No filter prefers an angle within {tolerance_deg}° of {angle_deg}°; "
                             f"preferred angles: {sorted(set(self.preferred.tolist()))}.")
        return int(near[np.argmax(self.contrast[near])])

    @property
    def most_vertical(self) -> int:
        """Of the filters that prefer vertical edges (0°), the one with the largest contrast."""
        return self.strongest_near(0.0)

    @property
    def most_horizontal(self) -> int:
        """Of the filters that prefer horizontal edges (90°), the one with the largest contrast."""
        return self.strongest_near(90.0)


def edge_orientation(W, period=16.0, step_deg=5) -> EdgeOrientation:
    """Measure every filter with gratings at 0°, step_deg, ..., < 180°.

    An edge is one change of brightness, so the default period (16 pixels) is much longer than a
    5x5 filter: inside the filter such a grating looks like brightness rising (or falling) in one
    direction. Short periods instead measure fine stripes, which is a different question."""
    angles = np.arange(0.0, 180.0, step_deg)
    r = grating_response(W, angles, period)
    top, low = r.max(axis=1), r.min(axis=1)
    return EdgeOrientation(angles=angles, responses=r, preferred=angles[r.argmax(axis=1)],
                           selectivity=(top - low) / np.maximum(top + low, 1e-12), contrast=top - low,
                           period=float(period))


# ---- hand-made filters ---------------------------------------------------------------------------

def _hand_made() -> dict:
    smooth = np.array([1.0, 4.0, 6.0, 4.0, 1.0])               # binomial smoothing (the 5x5 Sobel's)
    deriv = np.array([-1.0, -2.0, 0.0, 2.0, 1.0])              # and its derivative
    sobel_x = np.outer(smooth, deriv)                          # brightness changes left → right
    y, x = np.mgrid[-2:3, -2:3].astype(np.float64)
    r2 = (x**2 + y**2) / (2 * 1.0**2)
    gauss = np.exp(-r2)
    log = (r2 - 1.0) * gauss                                  # Laplacian of Gaussian (σ = 1): a blob detector
    log -= log.mean()                                         # no response to a flat area, like the Sobels
    return {
        "소벨 x (세로 에지)": sobel_x,
        "소벨 y (가로 에지)": sobel_x.T.copy(),
        "소벨 대각선": (np.outer(smooth, deriv) + np.outer(deriv, smooth)) / 2,
        "LoG (블롭)": log,
        "가우시안 (흐림)": gauss,
    }


#: Classic hand-designed 5x5 filters, name → (5, 5) array: the 5x5 Sobel kernels (x, y and a
#: diagonal), a Laplacian of Gaussian (σ = 1, mean removed) and a Gaussian (σ = 1). The names are
#: Korean, as the notebook's tables show them.
HAND_MADE = _hand_made()


def cosine_similarity(W, kernels) -> np.ndarray:
    """(FN, K) cosine of the angle between each filter and each kernel, both flattened:
    +1 same pattern (up to scale), −1 the same pattern with light and dark swapped, 0 unrelated."""
    F = _filters_2d(W).reshape(len(W), -1)
    K = np.stack([np.asarray(k, dtype=np.float64).ravel() for k in kernels])
    if F.shape[1] != K.shape[1]:
        raise ValueError(f"Filters have {F.shape[1]} weights each but the kernels {K.shape[1]}; "
                         "they must have the same height and width.")
    F = F / np.linalg.norm(F, axis=1, keepdims=True)
    K = K / np.linalg.norm(K, axis=1, keepdims=True)
    return F @ K.T


# ---- blobs against edges -------------------------------------------------------------------------

def spot_image(size: int = 21, sigma: float = 1.0) -> np.ndarray:
    """(size, size) a blob: a bright round spot (a Gaussian of width ``sigma`` pixels, peak 1) in the
    middle of a dark image."""
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2
    return np.exp(-(x**2 + y**2) / (2 * sigma**2))


def edge_image(size: int = 21, angle_deg: float = 0.0) -> np.ndarray:
    """(size, size) an edge: 0 on one side of a straight line through the middle, 1 on the other; the
    brightness changes along ``angle_deg`` (0°: from left to right, a vertical edge)."""
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2
    t = np.deg2rad(angle_deg)
    return (np.round(x * np.cos(t) + y * np.sin(t), 9) > 0).astype(np.float64)   # cos 90° is 6e-17, not 0


def blob_preference(W, sigma=1.0, step_deg=5, size=21) -> np.ndarray:
    """(FN,) how much more each filter answers a blob than an edge: its largest |output| anywhere on
    :func:`spot_image` divided by its largest |output| anywhere on :func:`edge_image` at any angle 0°,
    ``step_deg``, ... < 180°. Above 1: a blob detector (a Laplacian of Gaussian scores about 1.8);
    below 1: an edge detector (Sobel about 0.5). Scaling a filter or flipping its sign changes nothing."""
    F = _filters_2d(W)
    FH, FW = F.shape[1:]
    if size < 2 * max(FH, FW):
        raise ValueError(f"size must be at least twice the filter size ({2 * max(FH, FW)}) so that the whole "
                         f"filter fits over the spot and over the edge; got {size}.")
    edges = [edge_image(size, a) for a in np.arange(0.0, 180.0, step_deg)]
    images = np.stack([spot_image(size, sigma), *edges])[:, None]             # (1 + angles, 1, size, size)
    peak = np.abs(filter_maps(F[:, None], images)).max(axis=(2, 3))          # (1 + angles, FN)
    return peak[0] / np.maximum(peak[1:].max(axis=0), 1e-12)


# ---- filters on a photograph ---------------------------------------------------------------------

def gray_photo(size: int = 160) -> np.ndarray:
    """matplotlib's Grace Hopper photo as a (1, 1, size, size) grayscale image in [0, 1]
    (luminance 0.299 R + 0.587 G + 0.114 B), ready for a Convolution layer."""
    rgb = sample_photo(size)                                  # (3, size, size), 0..255
    gray = np.tensordot(np.array([0.299, 0.587, 0.114]), rgb, axes=(0, 0)) / 255.0
    return gray[None, None].astype(np.float32)


def filter_maps(W, x, b=None, *, pad=0) -> np.ndarray:
    """Feature maps (N, FN, OH, OW) of filters W (FN, C, FH, FW) on images x (N, C, H, W),
    computed by :class:`cnnlib.Convolution` (bias ``b`` defaults to zeros)."""
    W = np.asarray(W, dtype=np.float32)
    b = np.zeros(len(W), dtype=np.float32) if b is None else np.asarray(b, dtype=np.float32)
    return Convolution(W, b, stride=1, pad=pad).forward(np.asarray(x, dtype=np.float32))
