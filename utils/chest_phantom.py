"""Synthetic chest radiographs (PA view) with and without pneumonia, for learning offline.

The phantom is drawn from smooth analytic shapes in a normalised frame (x to the image's right, y down,
both in [-1, 1]) and displayed as a film: bright = dense. Image left is the patient's right, so the heart
shadow sits to the viewer's right. Every synthetic patient has its own anatomy (size, position, lung
shape, heart size, rib spacing); several images of one patient share it with small changes (position,
inspiration, exposure), so patient-level leakage can be taught. Pneumonia is a lobar or patchy opacity
inside the lung fields, of variable extent and (sometimes very) low contrast.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

_CHUNK = 256  # images rendered at once (bounds memory at ~40 MB per float32 plane at 128 px)


def _sig(x: np.ndarray, width: float) -> np.ndarray:
    """A smooth step (0 to 1, smoothstep polynomial) of ``x`` over about ``4 * width`` (normalised units)."""
    t = np.clip(x * (0.25 / width) + 0.5, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _patients(n: int, rng: np.random.Generator, per_patient: tuple[int, int],
              fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Image-to-patient index and per-patient labels, so that about ``fraction`` of images are positive."""
    lo, hi = per_patient
    if not 1 <= lo <= hi:
        raise ValueError(f"images_per_patient must be (lo, hi) with 1 <= lo <= hi, got {per_patient}")
    counts = []
    while sum(counts) < n:
        counts.append(int(rng.integers(lo, hi + 1)))
    counts[-1] -= sum(counts) - n
    if counts[-1] == 0:
        counts.pop()
    counts_arr = np.asarray(counts)
    target = round(fraction * n)
    labels = np.zeros(len(counts_arr), dtype=np.int64)
    total = 0
    for p in rng.permutation(len(counts_arr)):  # fill the positive class patient by patient
        if total + counts_arr[p] <= target:
            labels[p] = 1
            total += counts_arr[p]
        if total == target:
            break
    return np.repeat(np.arange(len(counts_arr)), counts_arr), labels


def _draw_parameters(n_pat: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-patient anatomy and disease parameters."""
    u = rng.uniform
    return {
        "scale": u(0.90, 1.08, n_pat), "cx": rng.normal(0, 0.05, n_pat), "cy": rng.normal(0.02, 0.05, n_pat),
        "rot": np.deg2rad(rng.normal(0, 3.0, n_pat)), "gap": u(0.09, 0.13, n_pat), "lung_w": u(0.44, 0.54, n_pat),
        "apex": u(-0.76, -0.64, n_pat), "base": u(0.40, 0.56, n_pat), "base_lr": u(0.02, 0.09, n_pat),
        "dome": u(0.10, 0.20, n_pat), "heart": u(0.85, 1.25, n_pat), "rib_gap": u(0.105, 0.135, n_pat),
        "rib_phase": u(0, 1, n_pat), "body_w": u(0.84, 0.95, n_pat), "tissue": u(0.40, 0.55, n_pat),
        "bubble": u(0, 1, n_pat) < 0.5, "texture_seed": rng.integers(0, 2**31, n_pat),
        # disease: kind (0 lobar, 1 patchy), side (-1 image left = patient right, +1), zone, strength
        "kind": (u(0, 1, n_pat) < 0.5).astype(int), "side": np.where(u(0, 1, n_pat) < 0.6, -1.0, 1.0),
        "both": u(0, 1, n_pat) < 0.3, "fissure": u(0.0, 0.75, n_pat), "upper": u(0, 1, n_pat) < 0.3,
        "amp": 0.12 + 0.25 * u(0, 1, n_pat), "n_blobs": rng.integers(2, 7, n_pat),
        "blob_seed": rng.integers(0, 2**31, n_pat),
    }


def _render(p: dict[str, np.ndarray], img: dict[str, np.ndarray], sick: np.ndarray, r: int) -> np.ndarray:
    """Render a chunk of density images at ``r`` x ``r`` (bright = dense); all arrays indexed per image."""
    col = lambda a: np.asarray(a, dtype=np.float32)[:, None, None]  # noqa: E731
    grid = (np.arange(r, dtype=np.float32) + 0.5) / r * 2 - 1
    v, u = grid[None, :, None], grid[None, None, :]
    rot, s = col(p["rot"] + img["rot"]), col(p["scale"])
    du, dv = u - col(p["cx"] + img["dx"]), v - col(p["cy"] + img["dy"])
    x = (du * np.cos(rot) + dv * np.sin(rot)) / s
    y = (-du * np.sin(rot) + dv * np.cos(rot)) / s
    e = 2.0 / r  # one render pixel: edge softness
    ax = np.abs(x)

    gap, lw, apex = col(p["gap"]), col(p["lung_w"]), col(p["apex"])
    heart_r = col(p["heart"])
    # body outline with shoulders; outside it is air
    body_w = col(p["body_w"]) + 0.12 * _sig(-0.62 - y, 0.06)
    body = _sig(body_w - ax, 2 * e)
    dens = body * col(p["tissue"])
    # lungs: lateral border widening from a rounded apex, domed diaphragm below, mediastinum medially
    lungs = np.zeros_like(x)
    side_mask = {}
    for side in (-1.0, 1.0):
        xs = side * x
        base = col(p["base"] + img["breath"]) + (col(p["base_lr"]) if side > 0 else 0.0)
        t = np.clip((y - apex) / (base - apex), 0.0, 1.0)
        outer = gap + 0.03 + lw * np.sqrt(1 - (1 - t) ** 2.2)
        mid = gap + 0.55 * lw
        dome = base - col(p["dome"]) * np.clip(1 - ((xs - mid) / (0.62 * lw)) ** 2, 0, 1)
        m = _sig(outer - xs, 1.5 * e) * _sig(xs - gap, 1.5 * e) * _sig(dome - y, 1.5 * e) * _sig(y - apex, 2 * e)
        side_mask[side] = m
    # heart shadow bulging to the viewer's right (patient's left), above the left hemidiaphragm
    # a tilted ellipse: long axis from the great vessels (upper, medial) to the apex (lower, viewer's right)
    hx = 0.11 + 0.05 * heart_r
    hy = col(p["base"] + p["base_lr"] + img["breath"]) - 0.10 - 0.06 * heart_r
    along = ((x - hx) * 0.82 + (y - hy) * 0.57) / (0.36 * heart_r)
    across = (-(x - hx) * 0.57 + (y - hy) * 0.82) / (0.25 * heart_r)
    heart = _sig(1 - np.sqrt(along**2 + across**2), 0.06)
    for side in (-1.0, 1.0):
        side_mask[side] = side_mask[side] * (1 - heart)
        lungs = lungs + side_mask[side]
    # lung texture (vessels, overlapping tissue): low-frequency noise, plus hila near the mediastinum
    texture = _lowfreq(p["texture_seed"], r, 10) + 0.3 * _lowfreq(p["texture_seed"] + 1, r, 24)
    hila = sum(np.exp(-(((side * x - gap - 0.06) / 0.07) ** 2 + ((y + 0.08) / 0.12) ** 2)) for side in (-1, 1))
    dens = dens - lungs * (0.36 - 0.03 * texture - 0.10 * hila)
    # mediastinum, spine with vertebrae, trachea
    thorax_h = _sig(y - apex + 0.25, 0.03)
    mediastinum = _sig(gap + 0.02 - ax, 2 * e) * thorax_h
    dens = dens + 0.10 * np.maximum(mediastinum, heart)
    vert = 0.8 + 0.2 * np.cos(2 * np.pi * (y / col(p["rib_gap"]) + col(p["rib_phase"])))
    dens = dens + 0.06 * _sig(0.055 - ax, e) * vert * body
    dens = dens - 0.10 * _sig(0.032 - ax, e) * _sig(-0.22 - y, 0.03)
    # below the diaphragm: abdomen; an optional gastric air bubble under the left dome
    below = body * (1 - lungs - heart).clip(0, 1) * _sig(y - col(p["base"]) + 0.05, 0.05)
    dens = dens + 0.05 * below
    bubble = np.exp(-(((x - gap - 0.2 * lw - 0.08) / 0.09) ** 2 + ((y - col(p["base"] + p["base_lr"]) - 0.06) / 0.04) ** 2))
    dens = dens - 0.12 * col(p["bubble"]) * bubble
    # posterior ribs (arcs rising then falling laterally), fainter anterior ribs, clavicles
    gap_r, phase = col(p["rib_gap"]), col(p["rib_phase"])
    thorax = _sig(gap + lw + 0.10 - ax, 0.03) * _sig(ax - 0.04, 0.02)
    top = apex - 0.02 + 0.3 * phase * gap_r
    q = (y - top + 0.28 * ax - 0.95 * ax**2) / gap_r  # rib k runs along q = k
    ribs = np.exp(-(((q - np.round(q)) / 0.18) ** 2)) * _sig(q + 0.3, 0.05) * _sig(9.6 - q, 0.05)
    q = (y - top - 0.25 + 0.45 * ax - 0.2 * ax**2) / gap_r
    ribs = ribs + 0.45 * np.exp(-(((q - np.round(q)) / 0.14) ** 2)) * _sig(ax - 0.12, 0.04) * _sig(q + 0.3, 0.05)
    clav = apex + 0.08 - 0.28 * ax + 0.25 * ax**2
    dens = dens + 0.08 * ribs * thorax * _sig(col(p["base"]) + 0.1 - y, 0.05)
    dens = dens + 0.16 * np.exp(-(((y - clav) / 0.028) ** 2)) * _sig(ax - 0.05, 0.02) * _sig(0.62 - ax, 0.04)
    # pneumonia: opacities inside the lung fields
    if sick.any():
        dens = dens + _opacity(p, img, sick, x, y, side_mask, r)
    # uneven exposure across the film (anode heel effect, positioning): a gentle random ramp
    dens = dens + col(img["ramp_x"]) * u + col(img["ramp_y"]) * v
    return ndimage.gaussian_filter(dens, sigma=(0, 0.6, 0.6))


def _lowfreq(seeds: np.ndarray, r: int, cells: int) -> np.ndarray:
    """Smooth noise in about [-1, 1], one field per seed (the same seed gives the same field at any ``r``)."""
    coarse = np.stack([np.random.default_rng(int(s)).standard_normal((cells, cells)) for s in seeds])
    pos = (np.arange(r) + 0.5) / r * cells - 0.5
    w = np.exp(-(((pos[:, None] - np.arange(cells)[None, :]) / 0.8) ** 2))  # Gaussian interpolation weights
    w = (w / w.sum(axis=1, keepdims=True)).astype(np.float32)
    return np.einsum("ij,bjk,lk->bil", w, coarse.astype(np.float32), w, optimize=True) * 1.3


def _opacity(p: dict[str, np.ndarray], img: dict[str, np.ndarray], sick: np.ndarray, x: np.ndarray,
             y: np.ndarray, side_mask: dict[float, np.ndarray], r: int) -> np.ndarray:
    """Consolidation density to add: lobar (a lobe below/above a fissure) or patchy (blurred blobs)."""
    col = lambda a: np.asarray(a, dtype=np.float32)[:, None, None]  # noqa: E731
    side = col(p["side"])
    in_side = np.where(side < 0, side_mask[-1.0], side_mask[1.0])
    other = np.where(side < 0, side_mask[1.0], side_mask[-1.0])
    where = in_side + col(p["both"]) * other
    apex, base = col(p["apex"]), col(p["base"])
    fissure = apex + (base - apex) * (0.25 + 0.6 * col(p["fissure"]))
    lobar = np.where(col(p["upper"]) > 0, _sig(fissure - y, 0.015), _sig(y - fissure, 0.015))
    patchy = np.zeros_like(x)
    for k in range(6):
        rng = [np.random.default_rng(int(s) + k) for s in p["blob_seed"]]
        on = col(k < p["n_blobs"])
        bx = col([g.uniform(-1, 1) for g in rng]) * col(p["gap"] + 0.5 * p["lung_w"])
        by = apex + (base - apex) * col([g.uniform(0.2, 0.95) for g in rng])
        rad = col([g.uniform(0.035, 0.09) for g in rng])
        patchy = patchy + on * np.exp(-(((x - bx) ** 2 + (y - by) ** 2) / (2 * rad**2)))
    patchy = np.clip(patchy, 0, 1)
    both_sides = side_mask[-1.0] + side_mask[1.0]
    shape = np.where(col(p["kind"]) == 0, lobar * where, patchy * both_sides)
    mottle = 0.7 + 0.3 * _lowfreq(p["blob_seed"], r, 16)
    amp = col(p["amp"] * img["amp_jitter"]) * col(sick)
    return amp * shape * np.clip(mottle, 0.2, 1.3)


def make_chest_xrays(n: int, size: int = 64, *, pneumonia_fraction: float = 0.74,
                     images_per_patient: tuple[int, int] = (1, 3),
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic PA chest radiographs: ``(images, labels, patient_ids)``.

    ``images`` is float32 ``(n, size, size)`` in [0, 1] (bright = dense), ``labels`` int ``(n,)`` with
    1 = pneumonia, ``patient_ids`` str ``(n,)``; each patient has ``images_per_patient`` images (a range)
    and one label. ``size`` is any square size from 28 to 256; the same ``seed`` gives the same images.
    """
    if not 28 <= size <= 256:
        raise ValueError(f"size must be between 28 and 256, got {size}")
    if not 0.0 <= pneumonia_fraction <= 1.0:
        raise ValueError(f"pneumonia_fraction must be in [0, 1], got {pneumonia_fraction}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    patient, pat_label = _patients(n, rng, images_per_patient, pneumonia_fraction)
    pat = _draw_parameters(len(pat_label), rng)
    per_image = {  # small differences between films of the same patient
        "dx": rng.normal(0, 0.015, n), "dy": rng.normal(0, 0.015, n), "rot": np.deg2rad(rng.normal(0, 1.0, n)),
        "breath": rng.normal(0, 0.025, n), "ramp_x": rng.normal(0, 0.04, n), "ramp_y": rng.normal(0, 0.04, n), "amp_jitter": rng.uniform(0.8, 1.2, n),
        "gamma": np.exp(rng.normal(0, 0.25, n)), "lo": rng.uniform(-0.06, 0.06, n), "hi": rng.uniform(-0.1, 0.1, n),
        "noise": rng.uniform(0.004, 0.02, n), "noise_seed": rng.integers(0, 2**31, n),
    }
    labels = pat_label[patient]
    factor = 2 if size < 64 else 1  # small sizes: render at twice the size, average 2x2 blocks (anti-aliasing)
    r = size * factor
    out = np.empty((n, size, size), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        idx = np.arange(start, min(start + _CHUNK, n))
        p = {k: v[patient[idx]] for k, v in pat.items()}
        img = {k: v[idx] for k, v in per_image.items()}
        dens = _render(p, img, labels[idx], r)
        dens = dens.reshape(len(idx), size, factor, size, factor).mean(axis=(2, 4))
        lo = np.percentile(dens, 1, axis=(1, 2))[:, None, None] + img["lo"][:, None, None]
        hi = np.percentile(dens, 99.7, axis=(1, 2))[:, None, None] + img["hi"][:, None, None]
        film = np.clip((dens - lo) / (hi - lo), 0, 1) ** img["gamma"][:, None, None]
        noise = np.stack([np.random.default_rng(int(s)).standard_normal((size, size)) for s in img["noise_seed"]])
        out[idx] = np.clip(film + img["noise"][:, None, None] * noise, 0, 1)
    ids = np.array([f"synth-{i:05d}" for i in patient])
    return out, labels.astype(np.int64), ids
