"""cnnlib.filters against independent references: brute-force gratings, loop convolutions."""

import numpy as np
import pytest

from cnnlib import filters as F
from cnnlib.reference import conv_forward_loops

SOBEL_X = F.HAND_MADE["소벨 x (세로 에지)"]
SOBEL_Y = F.HAND_MADE["소벨 y (가로 에지)"]


def test_neighbour_correlation_separates_smooth_from_random():
    rng = np.random.default_rng(0)
    random_bank = rng.standard_normal((400, 1, 5, 5))
    # a correlation of 40 overlapping pairs is biased slightly below 0 (about −0.05 here)
    assert abs(F.neighbour_correlation(random_bank).mean()) < 0.08
    ramp = np.tile(np.arange(5.0), (5, 1))[None, None]          # brightness rising left to right
    blob = F.HAND_MADE["가우시안 (흐림)"][None, None]
    assert F.neighbour_correlation(ramp)[0] > 0.5
    assert F.neighbour_correlation(blob)[0] > 0.5


def brute_force_grating_amplitude(f, angle_deg, period, phases=64):
    """Slide real grating images under the filter (by convolution) and take the largest output."""
    FH, FW = f.shape
    size = 3 * max(FH, FW)
    y, x = np.mgrid[0:size, 0:size]
    t = np.deg2rad(angle_deg)
    best = 0.0
    for phi in np.linspace(0, 2 * np.pi, phases, endpoint=False):
        img = np.cos(2 * np.pi * (x * np.cos(t) + y * np.sin(t)) / period + phi)
        out = conv_forward_loops(img[None, None], f[None, None], np.zeros(1))
        best = max(best, float(np.abs(out).max()))
    return best


@pytest.mark.parametrize("angle,period", [(0, 5), (90, 4), (45, 6), (30, 8)])
def test_grating_response_equals_the_best_response_to_real_gratings(angle, period):
    rng = np.random.default_rng(angle + period)
    bank = rng.standard_normal((3, 1, 5, 5))
    amp = F.grating_response(bank, [angle], period)[:, 0]
    for f, a in zip(bank[:, 0], amp):
        # 64 phases sample the peak of a cosine to within 1 − cos(π/64) ≈ 0.12 %
        assert brute_force_grating_amplitude(f, angle, period) == pytest.approx(a, rel=2e-3)


def test_edge_orientation_tells_sobel_x_from_sobel_y():
    diagonal = F.HAND_MADE["소벨 대각선"]
    bank = np.stack([SOBEL_Y, F.HAND_MADE["가우시안 (흐림)"], SOBEL_X, 0.5 * SOBEL_X + 0.1 * diagonal])[:, None]
    eo = F.edge_orientation(bank)
    assert list(eo.preferred[[0, 2]]) == [90, 0]
    assert eo.selectivity[2] > 0.9 and eo.selectivity[0] > 0.9
    assert eo.selectivity[1] < 0.01   # a round blob: almost no preference (a square 5x5 grid is not quite round)
    assert (eo.most_vertical, eo.most_horizontal) == (2, 0)   # the full Sobel x beats the weaker mix
    np.testing.assert_allclose(eo.contrast, eo.responses.max(axis=1) - eo.responses.min(axis=1))
    weak = F.edge_orientation(np.stack([SOBEL_X, 0.01 * SOBEL_X + 0.001 * SOBEL_Y])[:, None])
    assert weak.most_vertical == 0        # a faint filter does not win by being selective
    # orientations repeat every 180 degrees: 175 is 5 degrees from vertical
    assert eo.strongest_near(180.0) == 2
    with pytest.raises(ValueError, match="No filter prefers an angle within 5"):
        F.edge_orientation(bank[:1]).strongest_near(0.0, tolerance_deg=5)


def test_cosine_similarity():
    bank = np.stack([3 * SOBEL_X, -SOBEL_X, SOBEL_Y])[:, None]
    cs = F.cosine_similarity(bank, [SOBEL_X, SOBEL_Y])
    np.testing.assert_allclose(cs, [[1, 0], [-1, 0], [0, 1]], atol=1e-12)
    with pytest.raises(ValueError, match="same height and width"):
        F.cosine_similarity(bank, [np.ones((3, 3))])
    with pytest.raises(ValueError, match="one-channel filters"):
        F.cosine_similarity(np.ones((2, 3, 5, 5)), [SOBEL_X])


def test_gray_photo_and_filter_maps():
    photo = F.gray_photo(40)
    assert photo.shape == (1, 1, 40, 40) and photo.dtype == np.float32
    assert 0 <= photo.min() < 0.3 and 0.7 < photo.max() <= 1
    bank = np.stack([SOBEL_X, SOBEL_Y])[:, None]
    maps = F.filter_maps(bank, photo, b=[0.5, -1.0])
    expected = conv_forward_loops(photo.astype(np.float64), bank, np.array([0.5, -1.0]))
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-4)


def blob_preference_by_loops(f, sigma=1.0, step_deg=5, size=21):
    """The definition written out: slide the filter over each image position by position (cross-correlation,
    no padding) and keep the largest |sum|; spot over the best edge."""
    def peak(image):
        FH, FW = f.shape
        return max(abs(sum(f[i, j] * image[y + i, x + j] for i in range(FH) for j in range(FW)))
                   for y in range(size - FH + 1) for x in range(size - FW + 1))
    c = (size - 1) / 2
    spot = [[np.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma ** 2)) for x in range(size)] for y in range(size)]
    edges = []
    for a in np.arange(0.0, 180.0, step_deg):
        t = np.deg2rad(a)
        edges.append([[float(round((x - c) * np.cos(t) + (y - c) * np.sin(t), 9) > 0) for x in range(size)]
                      for y in range(size)])
    return peak(np.array(spot)) / max(peak(np.array(e)) for e in edges)


def test_blob_preference_matches_the_loops_and_ignores_scale_and_sign():
    rng = np.random.default_rng(3)
    bank = rng.standard_normal((3, 1, 5, 5))
    got = F.blob_preference(bank, step_deg=30, size=11)
    want = [blob_preference_by_loops(f[0], step_deg=30, size=11) for f in bank]
    np.testing.assert_allclose(got, want, rtol=1e-5)       # float32 convolution against float64 loops
    for c in (-3.0, 0.01, 250.0):
        np.testing.assert_allclose(F.blob_preference(c * bank), F.blob_preference(bank), rtol=1e-4)


def test_a_laplacian_of_gaussian_prefers_blobs_and_sobel_edges():
    score = dict(zip(F.HAND_MADE, F.blob_preference(np.stack(list(F.HAND_MADE.values())))))
    assert score["LoG (블롭)"] > 1.5
    for name in ("소벨 x (세로 에지)", "소벨 y (가로 에지)", "소벨 대각선"):
        assert score[name] < 0.7, name
    spot, edge = F.spot_image(21), F.edge_image(21, 0.0)
    assert spot.shape == edge.shape == (21, 21) and spot[10, 10] == 1.0 == spot.max()
    assert edge[:, :11].max() == 0 and edge[:, 11:].min() == 1          # dark left, bright right: vertical edge
    assert (F.edge_image(21, 90.0)[:11] == 0).all() and (F.edge_image(21, 90.0)[11:] == 1).all()


def test_blob_preference_needs_room_for_the_filter():
    with pytest.raises(ValueError, match=r"size must be at least twice the filter size \(10\).*got 9"):
        F.blob_preference(np.ones((1, 1, 5, 5)), size=9)
