"""Laser-line seam tracker on the torch: ray-cast profile, joint-feature extraction, sensor noise.

Model (DESIGN section 3; reference `welding-process.md` section 6):

* A laser fan from an emitter `standoff_mm` above the look-ahead point (where the nominal torch's wire
  line meets the seam `lookahead_mm` ahead) draws a line across the seam. The profile is a batch of rays
  cast exactly against the workpiece plates (`weldcraft.envs.raycast`, which says why not pybullet's
  `rayTestBatch`): `n_rays_flank` rays over the whole field of view and `n_rays_center` rays
  concentrated around the last detected joint. Faces seen at an incidence angle beyond
  `grazing_dropout_deg` from their normal are dropouts (shiny steel at grazing incidence returns no light
  to the camera).
* The profile is segmented into straight runs (plane faces; a hole splits them) and fitted
  with the joint template of the joint kind, as tracker firmware does (RF627Weld, wenglor templates):
  fillet, corner and lap: the root is the concave corner of the two faces (the intersection of their
  lines, independent of the root gap); butt: the midpoint of the two groove edges on the top surfaces,
  with the linear misalignment as the height difference of the two top surfaces there (single-V: moved
  down by t - c to the groove root). These are the seam points of `weldcraft.seams.section`. The gap is the
  distance from the root to where the side-B face starts (fillet-like) or between the walls at the root
  face (single-V) or between the edges (square butt); its resolution is the spacing of the central rays.
* The reading gets Gaussian noise `noise_sigma_mm` (a vendor precision spec is a feature-level figure)
  and, with probability `outlier_prob`, a heavy-tailed (Student t, 2 dof) outlier of scale
  `outlier_scale_mm` (spatter, reflections).

Coordinates: the reading is in the torch (tool) frame relative to the look-ahead aim point: lateral
along the tool y axis (close to the seam's +b), vertical along -z (towards the torch), millimetres.
Latency and distance buffering live in `weldcraft.envs.seam_buffer`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from weldcraft.envs.config import SensorConfig
from weldcraft.envs.raycast import BoxRayCaster
from weldcraft.seams import Box, JointKind
from weldcraft.types import FloatArray

_COLLINEAR_MM = 0.02  # points farther than this from a run's line start a new face
_RAY_DEPTH_MM = 40.0  # the rays end this far beyond the look-ahead aim point


class TrackerReading(NamedTuple):
    """One joint-feature reading in the torch frame at the look-ahead line, millimetres."""

    lateral_mm: float
    vertical_mm: float
    gap_mm: float
    misalignment_mm: float
    valid: bool


INVALID_READING = TrackerReading(0.0, 0.0, 0.0, 0.0, False)


class _Run(NamedTuple):
    first: int  # index of the first ray of the run
    last: int  # index of the last ray
    px: float  # a point of the line (mean of the run's points), mm
    pz: float
    nx: float  # unit 2D normal of the face, towards the sensor
    nz: float


def _intersect(a: _Run, b: _Run) -> tuple[float, float] | None:
    det = a.nx * b.nz - a.nz * b.nx
    if abs(det) < 1e-9:
        return None
    ca = a.nx * a.px + a.nz * a.pz
    cb = b.nx * b.px + b.nz * b.pz
    return (ca * b.nz - a.nz * cb) / det, (a.nx * cb - ca * b.nx) / det


def _ray_on_line(run: _Run, u: float, standoff_mm: float) -> tuple[float, float]:
    """Where the fan ray through lateral u (at the aim plane) meets the run's line (2D)."""
    # ray: (0, standoff) + k (u, -standoff)
    dx, dz = u, -standoff_mm
    den = run.nx * dx + run.nz * dz
    if abs(den) < 1e-12:
        return u, 0.0
    k = (run.nx * run.px + run.nz * run.pz - run.nz * standoff_mm) / den
    return k * dx, standoff_mm + k * dz


def _segment(x_mm: list[float], z_mm: list[float], valid: list[bool], standoff_mm: float) -> list[_Run]:
    """Split the profile into straight runs (plane faces), as a profile sensor's line segmentation does.

    A run grows while the next valid point lies within `_COLLINEAR_MM` of the line through the run's
    first two points; a miss or dropout ends it (a hole, e.g. a butt gap, separates coplanar plates).
    Runs need two points. The run's normal is perpendicular to its end-to-end direction, towards the
    fan origin (0, standoff). (pybullet's hit normals are rounded within about 1 mm of box edges, so
    they are not used for the geometry.)
    """
    runs: list[_Run] = []
    n = len(valid)
    i = 0
    while i < n:
        if not valid[i]:
            i += 1
            continue
        j = i + 1
        if j >= n or not valid[j]:
            i = j
            continue
        dx, dz = x_mm[j] - x_mm[i], z_mm[j] - z_mm[i]
        norm = math.hypot(dx, dz)
        if norm < 1e-9:
            i = j
            continue
        dx, dz = dx / norm, dz / norm
        while (
            j + 1 < n
            and valid[j + 1]
            and abs((x_mm[j + 1] - x_mm[i]) * dz - (z_mm[j + 1] - z_mm[i]) * dx) < _COLLINEAR_MM
        ):
            j += 1
        ex, ez = x_mm[j] - x_mm[i], z_mm[j] - z_mm[i]
        norm = math.hypot(ex, ez)
        nx, nz = -ez / norm, ex / norm
        count = j - i + 1
        px, pz = sum(x_mm[i : j + 1]) / count, sum(z_mm[i : j + 1]) / count
        if nx * (0.0 - px) + nz * (standoff_mm - pz) < 0.0:
            nx, nz = -nx, -nz
        runs.append(_Run(i, j, px, pz, nx, nz))
        i = j + 1
    return runs


def extract_feature(
    u_mm: list[float],
    x_mm: list[float],
    z_mm: list[float],
    valid: list[bool],
    kind: JointKind,
    standoff_mm: float,
    root_depth_mm: float,
    cos_grazing: float = 0.0,
) -> TrackerReading:
    """Joint feature from one profile (noise-free geometry).

    An invalid reading other than `INVALID_READING` carries a coarse joint position (a single-V whose
    walls are outside the central rays): good enough to move the ray window, not to track.

    Args:
        u_mm: (R,) lateral position of each ray at the aim plane, increasing.
        x_mm, z_mm: (R,) hit points (lateral, height towards the sensor) relative to the aim point.
        valid: R flags, False for a miss or a dropout.
        kind: the joint kind (selects the template).
        standoff_mm: height of the fan origin above the aim plane (for the edge estimates).
        root_depth_mm: single-V: depth of the root face below the top surface (t - c), measured in the
            profile plane (divide the 3D depth by the cosine between the fan axis and the plate normal:
            a torch tilted by its travel angle sees the groove 1/cos deeper).
        cos_grazing: faces seen at an incidence whose cosine is below this are dropouts.
    """
    n = len(valid)
    runs = []
    for run in _segment(x_mm, z_mm, valid, standoff_mm):
        rx, rz = run.px, run.pz - standoff_mm  # fan ray to the face's mean point
        if -(rx * run.nx + rz * run.nz) >= cos_grazing * math.hypot(rx, rz):
            runs.append(run)
    if len(runs) < 2:
        return INVALID_READING
    if kind.is_fillet_like:
        best: tuple[float, float, int] | None = None
        for k in range(len(runs) - 1):
            a, b = runs[k], runs[k + 1]
            if a.nx <= b.nx + 0.05:  # not a concave (valley) corner
                continue
            corner = _intersect(a, b)
            if corner is not None and (best is None or corner[1] < best[1]):
                best = (corner[0], corner[1], k)
        if best is None:
            return INVALID_READING
        cx, cz, k = best
        side_b = runs[k + 1]
        first = side_b.first
        px, pz = (x_mm[first]), (z_mm[first])
        if first > 0:
            qx, qz = _ray_on_line(side_b, (u_mm[first - 1]), standoff_mm)
            ex, ez = 0.5 * (px + qx), 0.5 * (pz + qz)
        else:
            ex, ez = px, pz
        # direction along the side-B face away from the corner
        dx, dz = -side_b.nz, side_b.nx
        if dx * (px - cx) + dz * (pz - cz) < 0.0:
            dx, dz = -dx, -dz
        gap = max(0.0, dx * (ex - cx) + dz * (ez - cz))
        return TrackerReading(cx, cz, gap, 0.0, True)
    top_a, top_b = runs[0], runs[-1]
    edges: list[tuple[float, float]] = []
    for top, inner, last_idx, nxt in (
        (top_a, runs[1], top_a.last, top_a.last + 1),
        (top_b, runs[-2], top_b.first, top_b.first - 1),
    ):
        convex = (inner.nx > top.nx + 0.05) if top is top_a else (inner.nx < top.nx - 0.05)
        corner = _intersect(top, inner) if (convex and inner is not top) else None
        if corner is None:
            if not 0 <= nxt < n:
                return INVALID_READING
            qx, qz = _ray_on_line(top, (u_mm[nxt]), standoff_mm)
            corner = (0.5 * ((x_mm[last_idx]) + qx), 0.5 * ((z_mm[last_idx]) + qz))
        edges.append(corner)
    (ax, _), (bx, _) = edges
    if bx <= ax:
        return INVALID_READING
    sx = 0.5 * (ax + bx)

    def height(run: _Run, x: float) -> float:
        return run.pz - run.nx / run.nz * (x - run.px) if abs(run.nz) > 1e-9 else run.pz

    za, zb = height(top_a, sx), height(top_b, sx)
    sz = 0.5 * (za + zb)
    gap = bx - ax
    if kind is JointKind.SINGLE_V_BUTT:
        # The seam point is the groove root: on the root plane (root_depth below the top surface along
        # its normal), midway between the two bevel walls where they meet it; gap = their distance.
        mnx, mnz = 0.5 * (top_a.nx + top_b.nx), 0.5 * (top_a.nz + top_b.nz)
        norm = math.hypot(mnx, mnz)
        mnx, mnz = mnx / norm, mnz / norm
        root_plane = _Run(0, 0, sx - root_depth_mm * mnx, sz - root_depth_mm * mnz, mnx, mnz)
        wall_a, wall_b = runs[1], runs[-2]
        ra = _intersect(wall_a, root_plane) if len(runs) >= 4 and wall_a.nx > 0.1 else None
        rb = _intersect(wall_b, root_plane) if len(runs) >= 4 and wall_b.nx < -0.1 else None
        if ra is not None and rb is not None and rb[0] > ra[0]:
            sx, sz = 0.5 * (ra[0] + rb[0]), 0.5 * (ra[1] + rb[1])
            gap = math.hypot(rb[0] - ra[0], rb[1] - ra[1])
        else:  # a bevel wall is not seen: invalid, but the groove edges still say where to look
            return TrackerReading(root_plane.px, root_plane.pz, 0.0, zb - za, False)
    return TrackerReading(sx, sz, gap, zb - za, True)


class LaserSeamTracker:
    """Laser-line seam tracker casting rays against the plates of one part.

    Args:
        config: sensor parameters.
        kind: joint kind of the workpiece (selects the feature template).
        root_depth_mm: single-V butt: thickness - root face; unused otherwise.
        boxes: the plates in the part frame.
    """

    def __init__(self, config: SensorConfig, kind: JointKind, root_depth_mm: float, boxes: list[Box]) -> None:
        self.config = config
        self.kind = JointKind(kind)
        self.root_depth_mm = root_depth_mm
        self.caster = BoxRayCaster(boxes)
        self._part_rot = np.eye(3)
        self._part_rot_t = self._part_rot.T
        self._part_pos = np.zeros(3)
        half = config.fov_mm / 2.0
        self._u_flank = np.linspace(-half, half, config.n_rays_flank)
        cw = config.center_width_mm
        self._u_center_rel = (
            (np.arange(config.n_rays_center) + 0.5) / config.n_rays_center * cw - cw / 2.0
            if config.n_rays_center
            else np.zeros(0)
        )
        self._center_limit = half - cw / 2.0
        self.center_mm = 0.0
        self._cos_grazing = math.cos(math.radians(config.grazing_dropout_deg))
        self._reach = (config.standoff_mm + _RAY_DEPTH_MM) / config.standoff_mm  # fan ray length factor
        self._reach_m = math.hypot(config.standoff_mm + _RAY_DEPTH_MM, config.fov_mm * self._reach) / 1000.0
        self.last_points: tuple[list[float], list[float], list[bool]] | None = None

    def reset(self) -> None:
        """Re-centre the ray window (start of an episode)."""
        self.center_mm = 0.0

    def set_part_pose(self, rotation_world_part: FloatArray, position_world_m: FloatArray) -> None:
        """Where the part frame is in the world (placement error and drift included)."""
        self._part_rot = np.asarray(rotation_world_part, dtype=np.float64)
        self._part_rot_t = self._part_rot.T
        self._part_pos = np.asarray(position_world_m, dtype=np.float64)

    def ray_layout_mm(self) -> FloatArray:
        """Sorted lateral positions (R,) of the rays at the aim plane for the current window, mm."""
        u = np.concatenate((self._u_flank, self._u_center_rel + self.center_mm))
        u.sort()
        return u

    def scan_geometry(
        self, aim_m: FloatArray, tool_rot: FloatArray, depth_scale: float = 1.0
    ) -> TrackerReading:
        """Noise-free reading of the profile at the look-ahead aim point `aim_m` (3,), tool axes (3, 3).

        `depth_scale`: 1 / cos(angle between the fan axis and the plate normal), for the single-V root
        depth (see `extract_feature`). Moves the central ray window onto the detected joint; when the
        joint lay outside the window,
        scans once more with the window on it (lock-on), as a tracker's region of interest follows.
        """
        reading = self._profile(aim_m, tool_rot, depth_scale)
        if reading.valid or reading != INVALID_READING:  # an invalid reading may still locate the joint
            old = self.center_mm
            self.center_mm = min(max(reading.lateral_mm, -self._center_limit), self._center_limit)
            if abs(reading.lateral_mm - old) > self.config.center_width_mm / 2.0:
                reading = self._profile(aim_m, tool_rot, depth_scale)
        return reading

    def _profile(self, aim_m: FloatArray, tool_rot: FloatArray, depth_scale: float) -> TrackerReading:
        cfg = self.config
        u = self.ray_layout_mm()
        # rays in the part frame: from the fan origin (standoff above the aim point along -z) through
        # the aim plane at lateral u, to _RAY_DEPTH_MM beyond it
        rot_t = self._part_rot_t
        axes_p = rot_t @ tool_rot
        y_p, z_p = axes_p[:, 1], axes_p[:, 2]
        aim_p = rot_t @ (aim_m - self._part_pos)
        sd = cfg.standoff_mm
        origin = aim_p - (sd / 1000.0) * z_p
        dirs = np.multiply.outer(u * (self._reach / 1000.0), y_p)
        dirs += ((sd + _RAY_DEPTH_MM) / 1000.0) * z_p
        lam = self.caster.first_hit(origin, dirs, self._reach_m)
        # hit relative to the aim point: lateral = lam u reach, height = sd - lam (sd + depth)
        lam_l = lam.tolist()
        u_l = u.tolist()
        reach, span = self._reach, sd + _RAY_DEPTH_MM
        n = len(lam_l)
        x = [0.0] * n
        zz = [0.0] * n
        valid = [False] * n
        for k in range(n):
            lk = lam_l[k]
            if lk <= 1.0:
                x[k] = lk * u_l[k] * reach
                zz[k] = sd - lk * span
                valid[k] = True
        self.last_points = (x, zz, valid)
        depth = self.root_depth_mm * depth_scale
        return extract_feature(u_l, x, zz, valid, self.kind, sd, depth, self._cos_grazing)

    def scan(
        self, aim_m: FloatArray, tool_rot: FloatArray, rng: np.random.Generator, depth_scale: float = 1.0
    ) -> TrackerReading:
        """One noisy reading (see `scan_geometry`).

        Always draws the same number of random numbers, so runs are reproducible whatever the geometry.
        """
        cfg = self.config
        geo = self.scan_geometry(aim_m, tool_rot, depth_scale)
        g0, g1, g2, g3, g4 = rng.standard_normal(5).tolist()
        u0, u1, u2 = rng.random(3).tolist()
        if not geo.valid:
            return geo
        sigma = cfg.noise_sigma_mm
        lat = geo.lateral_mm + sigma * g0
        vert = geo.vertical_mm + sigma * g1
        if u0 < cfg.outlier_prob:
            # Student t with 2 dof: Z / sqrt(chi2_2 / 2), chi2_2 = -2 ln U
            scale = cfg.outlier_scale_mm
            lat += scale * g3 / math.sqrt(-math.log(1.0 - u1))
            vert += scale * g4 / math.sqrt(-math.log(1.0 - u2))
        return TrackerReading(lat, vert, max(0.0, geo.gap_mm + sigma * g2), geo.misalignment_mm, True)
