"""Synthetic bright-blood cardiac MRI volumes with a left-atrium label (the offline stand-in for Task02_Heart).

Each volume is a compact chest (body outline with subcutaneous fat, chest wall, lungs with vessels, spine,
liver under the diaphragm) around a heart with four blood-filled chambers, the aorta, the pulmonary artery,
the caval veins and four pulmonary veins draining into the left atrium. Blood is bright, as in the balanced
steady-state free-precession (bSSFP) scans of the Decathlon, so the left atrium has the SAME intensity as the
other chambers and vessels it touches: finding it takes shape and position, not a threshold. The atrium is
irregular (smooth random deformation, an appendage, pulmonary-vein stubs that belong to the label), walls
between chambers are thin and patchy, and every volume carries a smooth multiplicative bias field and Rician
noise. Patients differ in heart size, position, small rotations, atrial shape and intensity scale.

Arrays are (z, y, x) with z towards superior, y towards anterior and x towards the patient's right (RAS+);
the 4 x 4 ``affine`` maps NIfTI voxel indices (i, j, k) = (x, y, z), i.e. the reversed array axes, to RAS mm.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import ndimage as ndi

SHAPE = (64, 128, 128)
SPACING = (1.37, 1.25, 1.25)

# Tissue intensities relative to blood (bSSFP contrast: blood and fat bright, muscle grey, lung dark).
_AIR, _LUNG, _MUSCLE, _MYO, _FAT, _LIVER, _BONE, _CSF = 0.0, 0.06, 0.28, 0.30, 0.72, 0.36, 0.45, 0.85

# Blood compartments (walls are drawn between different compartments, never inside one).
_LA, _LV, _RV, _RA, _AO, _LUNGVESSEL = 1, 2, 3, 4, 5, 6


def _rotation(angles_deg: Sequence[float]) -> np.ndarray:
    """Rotation matrix (x, y, z order) from angles about the x, y and z axes in degrees."""
    ax, ay, az = np.deg2rad(angles_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def _axis_frame(axis: Sequence[float]) -> np.ndarray:
    """A rotation whose third column is the unit vector ``axis`` (for tilted ellipsoids)."""
    w = np.asarray(axis, float) / np.linalg.norm(axis)
    u = np.cross(w, [0.0, 1.0, 0.0] if abs(w[1]) < 0.9 else [1.0, 0.0, 0.0])
    u /= np.linalg.norm(u)
    return np.stack([u, np.cross(w, u), w], axis=1)


def _smooth_field(rng: np.random.Generator, shape: Sequence[int], coarse: Sequence[int]) -> np.ndarray:
    """A smooth random field (zero mean, unit standard deviation): coarse noise spread by Gaussian kernels.

    Separable (one small matrix per axis), so a 1M-voxel field costs milliseconds.
    """
    def kernel(n: int, c: int) -> np.ndarray:  # (n, c): weight of each coarse node at each voxel
        pos = (np.arange(n) + 0.5) / n * c - 0.5
        w = np.exp(-0.5 * ((pos[:, None] - np.arange(c)[None, :]) / 0.7) ** 2)
        return (w / w.sum(1, keepdims=True)).astype(np.float32)

    (nz, ny, nx), (cz, cy, cx) = shape, coarse
    field = rng.standard_normal(coarse).astype(np.float32) @ kernel(nx, cx).T       # (cz, cy, nx)
    field = kernel(ny, cy) @ field                                                   # (cz, ny, nx)
    field = (kernel(nz, cz) @ field.reshape(cz, -1)).reshape(nz, ny, nx)             # (nz, ny, nx)
    return ((field - field.mean()) / (field.std() + 1e-8)).astype(np.float32)


def _quadric(p: tuple[np.ndarray, ...], centre: Sequence[float], radii: Sequence[float],
             frame: np.ndarray | None = None) -> np.ndarray:
    """(distance / radius)^2 summed over an ellipsoid's axes: < 1 inside."""
    d = [p[i] - float(centre[i]) for i in range(3)]  # Python floats keep float32 arrays float32
    if frame is not None:
        f = [[float(v) for v in row] for row in frame]
        d = [d[0] * f[0][i] + d[1] * f[1][i] + d[2] * f[2][i] for i in range(3)]
    return (d[0] / float(radii[0])) ** 2 + (d[1] / float(radii[1])) ** 2 + (d[2] / float(radii[2])) ** 2


def _polyline(points: Sequence[Sequence[float]], step: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step`` mm along a polyline, and their arc length from the first point."""
    pts = np.asarray(points, float)
    out, arc, s0 = [], [], 0.0
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(2, int(np.linalg.norm(b - a) / step) + 1)
        t = np.linspace(0, 1, n)[:, None]
        out.append(a + t * (b - a))
        arc.append(s0 + t[:, 0] * np.linalg.norm(b - a))
        s0 += np.linalg.norm(b - a)
    return np.concatenate(out), np.concatenate(arc)


def heart_affine(shape: Sequence[int] = SHAPE, spacing: Sequence[float] = SPACING) -> np.ndarray:
    """RAS affine for a (z, y, x) volume, mapping NIfTI indices (x, y, z) to mm with the centre at the origin."""
    sz, sy, sx = spacing
    affine = np.diag([sx, sy, sz, 1.0])
    affine[:3, 3] = [-(shape[2] - 1) / 2 * sx, -(shape[1] - 1) / 2 * sy, -(shape[0] - 1) / 2 * sz]
    return affine


def make_heart_volume(seed: int, *, shape: Sequence[int] = SHAPE,
                      spacing: Sequence[float] = SPACING) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One synthetic patient: ``(image float32 (z, y, x), label uint8 with 1 = left atrium, affine 4 x 4)``.

    ``shape`` and ``spacing`` are (z, y, x) in voxels and mm; the anatomy is laid out in mm, so another
    spacing gives the same patient sampled differently. Intensities are arbitrary scanner units.
    """
    rng = np.random.default_rng(seed)
    shape = tuple(int(s) for s in shape)
    affine = heart_affine(shape, spacing)
    # World coordinates (mm) of every voxel: x to the right, y anterior, z superior.
    zs, ys, xs = (affine[a, 3] + affine[a, a] * np.arange(n, dtype=np.float32)
                  for a, n in zip((2, 1, 0), shape))
    zw, yw, xw = np.meshgrid(zs, ys, xs, indexing="ij", sparse=True)

    # --- chest: body outline, fat, chest wall, lungs, spine, liver -----------------------------------------
    body_a, body_b = 74 * rng.uniform(0.94, 1.04), 60 * rng.uniform(0.92, 1.04)
    body = (xw / body_a) ** 2 + ((yw - 2) / body_b) ** 2 + 0 * zw
    fat_t, wall_t = rng.uniform(5, 9), rng.uniform(6, 10)
    image = np.full(shape, _AIR, np.float32)
    image[body < 1] = _FAT
    inner = (xw / (body_a - fat_t)) ** 2 + ((yw - 2) / (body_b - fat_t)) ** 2 + 0 * zw
    image[inner < 1] = _MUSCLE
    thorax = (xw / (body_a - fat_t - wall_t)) ** 2 + ((yw - 2) / (body_b - fat_t - wall_t)) ** 2 + 0 * zw
    dome = rng.uniform(-40, -25) - 0.006 * (xw - 20) ** 2 - 0.004 * yw ** 2  # diaphragm height (mm)
    lungs = ((thorax < 1) & (zw > dome)
             & ((_quadric((xw, yw, zw), (-40, -6, 10), (34, 50, 90)) < 1)
                | (_quadric((xw, yw, zw), (40, -6, 10), (34, 50, 90)) < 1)))
    image[lungs] = _LUNG
    image[(thorax < 1) & (zw <= dome) & (xw > -25)] = _LIVER
    spine_y = -body_b + rng.uniform(16, 20)
    vertebra = (xw ** 2 + (yw - spine_y - 14) ** 2 + 0 * zw) < rng.uniform(10, 13) ** 2
    image[vertebra] = _BONE
    image[(xw ** 2 + (yw - spine_y) ** 2 + 0 * zw) < 5.0 ** 2] = _CSF

    # --- heart placement: each patient's size, position and small rotation --------------------------------
    scale = rng.uniform(0.85, 1.1)
    rot = _rotation(rng.uniform([-6, -6, -12], [6, 6, 12]))
    centre = [float(c) for c in np.array([-8.0, 10.0, 2.0]) + rng.uniform([-6, -6, -5], [6, 6, 5])]
    scale, rot32 = float(scale), rot.astype(np.float32)
    # Local heart coordinates (mm, before scaling) of every voxel: p_local = R^T (p_world - centre) / scale.
    dw = (xw - centre[0], yw - centre[1], zw - centre[2])
    hx, hy, hz = ((dw[0] * rot32[0, i] + dw[1] * rot32[1, i] + dw[2] * rot32[2, i]) / scale for i in range(3))
    p = (hx, hy, hz)

    def to_world(pts: np.ndarray) -> np.ndarray:
        return pts @ (scale * rot).T + centre

    wobble = _smooth_field(rng, shape, (6, 10, 10))
    comp = np.zeros(shape, np.uint8)   # blood compartment per voxel
    label = np.zeros(shape, bool)       # left atrium (with appendage and pulmonary-vein stubs)
    lv_axis = _axis_frame([-0.55, 0.45, -0.7])
    lv_r = np.array([14, 14, 24]) * rng.uniform(0.9, 1.1, 3)
    lv_c = (-10, 8, -14)
    myo = _quadric(p, lv_c, lv_r + rng.uniform(7, 10), lv_axis) + 0.05 * wobble < 1
    comp[_quadric(p, (9, 20, -12), np.array([21, 12, 20]) * rng.uniform(0.9, 1.1, 3)) + 0.08 * wobble < 1] = _RV
    comp[_quadric(p, (25, -3, 6), np.array([14, 13, 16]) * rng.uniform(0.85, 1.15, 3)) + 0.08 * wobble < 1] = _RA
    comp[myo] = 0
    comp[_quadric(p, lv_c, lv_r, lv_axis) + 0.05 * wobble < 1] = _LV

    # Left atrium: an ellipsoid deformed by its own smooth random field, plus the appendage.
    la_c = np.array([-3, -17, 11]) + rng.uniform(-3, 3, 3)
    la_r = np.array([18, 12, 13]) * rng.uniform(0.8, 1.2, 3)
    la_field = _smooth_field(rng, shape, (10, 18, 18))
    la = _quadric(p, la_c, la_r) + rng.uniform(0.25, 0.45) * la_field < 1
    laa_dir = np.array([-0.8, 0.55, 0.2]) + rng.uniform(-0.2, 0.2, 3)
    laa_c = la_c + laa_dir / np.linalg.norm(laa_dir) * (la_r[0] * 0.9)
    la |= _quadric(p, laa_c, np.array([9, 5, 5]) * rng.uniform(0.7, 1.2, 3), _axis_frame(laa_dir)) < 1
    comp[la] = _LA
    label |= la

    # --- vessels: centre lines with radii, drawn with one distance transform --------------------------------
    vessels: list[tuple[np.ndarray, np.ndarray, float, int, float]] = []  # points, arc, radius, comp, stub (mm)
    sag = rng.uniform(-4, 4, 2)

    def add(points: Sequence[Sequence[float]], radius: float, compartment: int, stub: float = 0.0) -> None:
        pts, arc = _polyline(points)
        vessels.append((to_world(pts), arc, radius * scale, compartment, stub * scale))

    add([(-2, 2, -2), (0, 0, 16), (-3, -6, 32), (-9, -18, 42 + sag[0]), (-17, -31, 36),
         (-19, -36, 15), (-19, -36, -80)], rng.uniform(10, 13), _AO)
    add([(9, 26, -2), (5, 23, 15), (-6, 10, 27 + sag[1]), (-32, -6, 30)], rng.uniform(10, 12), _RV)
    add([(-6, 10, 27 + sag[1]), (18, -5, 30), (40, -8, 28)], 8.0, _RV)
    add([(26, -5, 14), (24, -7, 60)], rng.uniform(8, 10), _RA)          # superior vena cava
    add([(23, -3, -4), (21, -5, -80)], rng.uniform(9, 11), _RA)         # inferior vena cava
    for direction in ([-0.8, -0.3, 0.5], [-0.85, -0.35, -0.3], [0.8, -0.35, 0.45], [0.85, -0.4, -0.3]):
        d = np.asarray(direction) + rng.uniform(-0.12, 0.12, 3)
        d /= np.linalg.norm(d)
        to_wall = 1.0 / np.sqrt(np.sum(d ** 2 / la_r ** 2))  # centre-to-wall distance along d
        bend = np.array([0.0, -0.2, 0.0]) * rng.uniform(0, 1)
        add([la_c, la_c + d * (to_wall + 12), la_c + (d + bend) * (to_wall + 45)],
            rng.uniform(5, 7), _LA, stub=to_wall + rng.uniform(4, 9))
    lung_pts = np.argwhere(lungs[:: 4, :: 4, :: 4]) * 4
    for k in rng.choice(len(lung_pts), size=min(14, len(lung_pts)), replace=False) if len(lung_pts) else []:
        a = np.array([xs[lung_pts[k][2]], ys[lung_pts[k][1]], zs[lung_pts[k][0]]])
        pts, arc = _polyline([a, a + rng.normal(0, 1, 3) * 14])
        vessels.append((pts, arc, rng.uniform(1.2, 2.2), _LUNGVESSEL, 0.0))

    seeds = np.zeros(shape, bool)
    radius_at = np.zeros(shape, np.float32)
    comp_at = np.zeros(shape, np.uint8)
    stub_at = np.zeros(shape, bool)
    inv = np.linalg.inv(affine)
    for pts, arc, radius, compartment, stub in vessels:
        ijk = np.rint(pts @ inv[:3, :3].T + inv[:3, 3]).astype(int)[:, ::-1]  # -> (z, y, x) indices
        ok = np.all((ijk >= 0) & (ijk < shape), axis=1)
        idx = tuple(ijk[ok].T)
        seeds[idx] = True
        radius_at[idx] = radius
        comp_at[idx] = compartment
        stub_at[idx] = arc[ok] < stub
    dist, nearest = ndi.distance_transform_edt(~seeds, sampling=spacing, return_indices=True)
    near = tuple(nearest)
    tube = dist < radius_at[near]
    tube_comp = comp_at[near]
    big = tube & (tube_comp != _LUNGVESSEL)
    comp[big & ~la] = tube_comp[big & ~la]
    label |= tube & stub_at[near]
    comp[label] = _LA
    lung_vessels = tube & (tube_comp == _LUNGVESSEL) & lungs

    # --- tissue around the blood: thin myocardial walls, thick LV wall, patchy epicardial fat --------------
    blood = comp > 0
    to_blood = ndi.distance_transform_edt(~blood, sampling=spacing)
    heart = to_blood < rng.uniform(2.0, 3.0)
    image[heart | myo] = _MYO
    fat_patch = (to_blood < 5.5) & ~heart & ~myo & (_smooth_field(rng, shape, (8, 14, 14)) > 0.5)
    image[fat_patch & (image != _AIR)] = _FAT
    image[lung_vessels] = 0.8

    # Blood: each compartment a little brighter or darker, with slow in-flow variation.
    gain = rng.uniform(0.9, 1.08, 8).astype(np.float32)
    flow = 1 + 0.05 * _smooth_field(rng, shape, (6, 10, 10))
    image[blood] = (gain[comp[blood]] * flow[blood]).astype(np.float32)
    # Walls between touching compartments: one voxel either side, darker, with gaps (valves, thin septa).
    hi = ndi.maximum_filter(comp, size=3)
    lo = ndi.minimum_filter(np.where(blood, comp, 255).astype(np.uint8), size=3)
    wall = blood & ((hi != comp) | (lo != comp)) & (_smooth_field(rng, shape, (8, 14, 14)) > -0.6)
    image[wall] *= rng.uniform(0.35, 0.6)

    # --- acquisition: partial volume, bias field, Rician noise, scanner scale --------------------------------
    image = ndi.gaussian_filter(image, (0.45, 0.55, 0.55))
    bias = np.exp(rng.uniform(0.12, 0.25) * _smooth_field(rng, shape, (3, 4, 4))
                  + rng.uniform(-0.25, 0.25) * (yw / 80) + 0 * zw)
    image *= bias.astype(np.float32)
    sigma = rng.uniform(0.04, 0.08)
    real = image + rng.normal(0, sigma, shape).astype(np.float32)
    imag = rng.normal(0, sigma, shape).astype(np.float32)
    image = np.sqrt(real ** 2 + imag ** 2) * np.float32(rng.uniform(300, 1200))
    return image.astype(np.float32), label.astype(np.uint8), affine


def make_heart_dataset(n: int = 20, seed: int = 0, *, shape: Sequence[int] = SHAPE,
                       spacing: Sequence[float] = SPACING
                       ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """``n`` synthetic patients as lists ``(images, labels, affines)``; patient ``i`` uses seed ``seed * 1000 + i``."""
    out: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for i in range(n):
        for lst, arr in zip(out, make_heart_volume(seed * 1000 + i, shape=shape, spacing=spacing)):
            lst.append(arr)
    return out


def save_nifti(image: np.ndarray, label: np.ndarray, affine: np.ndarray, folder: Path | str,
               case_id: str) -> tuple[Path, Path]:
    """Write one case in the Decathlon layout: ``imagesTr/<case_id>.nii.gz``, ``labelsTr/<case_id>.nii.gz``.

    Arrays are (z, y, x) and are written in NIfTI order (x, y, z). ``dataset.json`` in ``folder`` is created or
    updated so it lists every case. Returns the image and label paths.
    """
    import nibabel as nib

    folder = Path(folder)
    paths = []
    for sub, arr, dtype in (("imagesTr", image, np.float32), ("labelsTr", label, np.uint8)):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        nii = nib.Nifti1Image(np.asarray(arr, dtype).transpose(2, 1, 0), affine)
        nii.header.set_xyzt_units("mm", "sec")
        path = folder / sub / f"{case_id}.nii.gz"
        nib.save(nii, path)
        paths.append(path)
    meta_path = folder / "dataset.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {
        "name": "SyntheticHeart", "description": "Synthetic bSSFP cardiac MRI phantom (utils.heart_phantom)",
        "tensorImageSize": "3D", "modality": {"0": "MRI"}, "labels": {"0": "background", "1": "left atrium"},
        "licence": "CC0 (generated)", "training": [], "test": []}
    entry = {"image": f"./imagesTr/{case_id}.nii.gz", "label": f"./labelsTr/{case_id}.nii.gz"}
    meta["training"] = sorted([e for e in meta["training"] if e != entry] + [entry], key=lambda e: e["image"])
    meta["numTraining"] = len(meta["training"])
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return paths[0], paths[1]
