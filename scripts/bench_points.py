"""Synthetic boiler-like points for the benchmark (`make bench`): plain numpy, deterministic.

Points cluster around towns (``centers``, e.g. county seats) as real boiler inventories do, the rest
spread over the province; ``inside(x, y)`` (a vectorised test supplied by the caller) keeps them inside
the province, except a small share deliberately left outside so the "not in any county" path is
exercised. Fields are the canonical boiler fields of RULES.md §2: ``fuel``, ``capacity_tph``, ``use``,
``low_nox_done``, with a few blanks as real lists have.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

FUELS: Tuple[str, ...] = ("coal", "gas", "electric", "biomass", "oil", "other")
FUEL_P: Tuple[float, ...] = (0.30, 0.45, 0.10, 0.06, 0.04, 0.03)  # of the rows whose fuel is filled
FUEL_BLANK = 0.02
CAPACITIES = np.array([0.5, 1, 2, 4, 6, 8, 10, 15, 20, 25, 35, 40, 65, 75, 130], dtype=float)
CAPACITY_P = np.array([4, 8, 10, 12, 10, 6, 12, 7, 8, 5, 7, 3, 4, 2, 2], dtype=float)
CAPACITY_BLANK = 0.01
USES: Tuple[str, ...] = ("heating", "industrial")
USE_P: Tuple[float, ...] = (0.6, 0.4)
USE_BLANK = 0.01
LOW_NOX_DONE_P = 0.55
OUTSIDE_SHARE = 0.002
CLUSTER_SHARE = 0.6

InsideFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sample_points(rng: np.random.Generator, n: int, bbox: Tuple[float, float, float, float],
                   centers: Optional[np.ndarray], weights: Optional[np.ndarray], sigma_deg: float,
                   inside: Optional[InsideFn], want_inside: bool, chunk: int) -> Tuple[np.ndarray, np.ndarray]:
    """``n`` points, drawn in chunks, kept where ``inside`` is ``want_inside`` (all kept without ``inside``)."""
    minx, miny, maxx, maxy = bbox
    xs, ys, got = [], [], 0
    while got < n:
        m = min(chunk, max(2 * (n - got), 1024))
        if centers is not None and len(centers) and want_inside:
            clustered = rng.random(m) < CLUSTER_SHARE
            k = int(clustered.sum())
            c = rng.choice(len(centers), size=k, p=weights)
            x = rng.uniform(minx, maxx, m)
            y = rng.uniform(miny, maxy, m)
            x[clustered] = centers[c, 0] + rng.normal(0.0, sigma_deg, k)
            y[clustered] = centers[c, 1] + rng.normal(0.0, sigma_deg * 0.8, k)
        else:
            x = rng.uniform(minx, maxx, m)
            y = rng.uniform(miny, maxy, m)
        if inside is not None:
            keep = inside(x, y)
            if not want_inside:
                keep = ~keep
            x, y = x[keep], y[keep]
        take = min(len(x), n - got)
        xs.append(x[:take])
        ys.append(y[:take])
        got += take
    return np.concatenate(xs) if xs else np.empty(0), np.concatenate(ys) if ys else np.empty(0)


def generate_boilers(n: int, seed: int, bbox: Tuple[float, float, float, float],
                     inside: Optional[InsideFn] = None, centers: Optional[np.ndarray] = None,
                     center_weights: Optional[Sequence[float]] = None, sigma_deg: float = 0.06,
                     outside_share: float = OUTSIDE_SHARE, chunk: int = 2_000_000) -> Dict[str, np.ndarray]:
    """``n`` synthetic boilers: ``ent_id`` (1..n), ``x``/``y`` (lon/lat, WGS84) and the canonical fields.

    ``fuel`` and ``use`` are object arrays of text with None for blanks, ``capacity_tph`` is float with NaN
    for blanks, ``low_nox_done`` is bool. Same ``n`` and ``seed`` → same points, on any machine.
    """
    rng = np.random.default_rng(seed)
    w = None
    if centers is not None:
        centers = np.asarray(centers, dtype=float)
        w = np.ones(len(centers)) if center_weights is None else np.asarray(center_weights, dtype=float)
        w = w / w.sum()
    n_out = int(round(n * outside_share)) if inside is not None else 0
    x_in, y_in = _sample_points(rng, n - n_out, bbox, centers, w, sigma_deg, inside, True, chunk)
    x_out, y_out = _sample_points(rng, n_out, bbox, None, None, sigma_deg, inside, False, chunk)
    x = np.concatenate([x_in, x_out])
    y = np.concatenate([y_in, y_out])
    order = rng.permutation(n)  # outside points scattered through the file, not at its end
    x, y = x[order], y[order]

    fuel_code = rng.choice(len(FUELS), size=n, p=np.asarray(FUEL_P) / np.sum(FUEL_P))
    fuel = np.asarray(FUELS, dtype=object)[fuel_code]
    fuel[rng.random(n) < FUEL_BLANK] = None
    capacity = CAPACITIES[rng.choice(len(CAPACITIES), size=n, p=CAPACITY_P / CAPACITY_P.sum())]
    capacity[rng.random(n) < CAPACITY_BLANK] = np.nan
    use = np.asarray(USES, dtype=object)[rng.choice(len(USES), size=n, p=np.asarray(USE_P))]
    use[rng.random(n) < USE_BLANK] = None
    low_nox = rng.random(n) < LOW_NOX_DONE_P
    return {"ent_id": np.arange(1, n + 1, dtype=np.int64), "x": x, "y": y, "fuel": fuel,
            "capacity_tph": capacity, "use": use, "low_nox_done": low_nox}
