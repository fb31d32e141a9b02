"""Joint cross-sections: the plates of each joint kind as rectangles in the seam frame's (b, n) plane.

Coordinates are (b, n) in millimetres with the seam point at the origin. A `SectionRect` is the rectangle
{origin + gap * gap_shift + u * dir + w * mat : u in u_mm, w in [0, depth_mm]}; `mat` points into the
material, so its w = 0 side is a surface. `weldcraft.seams.plates` extrudes these rectangles along a seam path
into boxes. Where the seam point lies, per kind (the env's laser tracker must find it there):

* fillet (T), lap, corner: the root, where the two fusion-face planes meet (opening angle between them);
  a root gap g lifts the side-B member off face A along face B by g, so the root stays on both face planes.
* square butt: the middle of the gap on the top surface; the plate edges sit at b = -g/2 and +g/2.
* single-V butt: the groove root, the middle of the gap at the top of the root faces; each bevel face starts
  at b = -+g/2 and rises at half the groove angle. The exact bevelled plate is a union of boxes: a root-face
  layer, the full-thickness body and a row of rotated boxes whose faces lie exactly on the bevel plane.

Side A is the -b side, side B the +b side (CONTRACTS.md). Fillet: A = flange (through plate), B = web;
lap: A = lower sheet, B = upper sheet; butt and corner: A and B are the two plates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from weldcraft.seams.joint import JointKind, JointSpec

Vec2 = tuple[float, float]


@dataclass(frozen=True)
class PlateDims:
    """Plate sizes of a joint (mm). Which plate is A and B, and what each width measures, per kind:

    * fillet: A flange, width_a_mm = flange extent from the root on the weld side (the flange overhangs the
      web's back by the same amount); B web, width_b_mm = web height.
    * lap: A lower sheet, width_a_mm = its extent beyond the upper sheet's edge; B upper sheet,
      width_b_mm = the overlap.
    * square/single-V butt and corner: width_a_mm, width_b_mm = each plate's width from its joint edge.
    run_on_mm: how far the plates (and the straight run-on/run-off of the seam) extend beyond each seam end.
    """

    thickness_a_mm: float
    thickness_b_mm: float
    width_a_mm: float
    width_b_mm: float
    run_on_mm: float = 10.0

    def __post_init__(self) -> None:
        for name in ("thickness_a_mm", "thickness_b_mm", "width_a_mm", "width_b_mm"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"{name} must be a positive number of millimetres, got {value!r}")
            object.__setattr__(self, name, value)
        run_on = float(self.run_on_mm)
        if not (math.isfinite(run_on) and run_on >= 0.0):
            raise ValueError(f"run_on_mm must be a non-negative number of millimetres, got {run_on!r}")
        object.__setattr__(self, "run_on_mm", run_on)


@dataclass(frozen=True)
class SectionRect:
    """A rectangle of plate material in the (b, n) cross-section (mm); see the module docstring."""

    name: str
    side: str  # "A" or "B"
    origin_bn_mm: Vec2
    dir_bn: Vec2
    mat_bn: Vec2
    u_mm: Vec2
    depth_mm: float
    gap_shift_bn: Vec2 = (0.0, 0.0)


@dataclass(frozen=True)
class FusionFace:
    """A fusion face: the line {point + gap * gap_shift + u * dir, u >= 0} in (b, n) mm; out_bn points out of
    the plate (into the joint opening)."""

    side: str
    point_bn_mm: Vec2
    dir_bn: Vec2
    out_bn: Vec2
    gap_shift_bn: Vec2 = (0.0, 0.0)


def _mirror(rect: SectionRect) -> SectionRect:
    def m(v: Vec2) -> Vec2:
        return (-v[0], v[1])

    return SectionRect(
        rect.name.replace("plate_a", "plate_b"),
        "B",
        m(rect.origin_bn_mm),
        m(rect.dir_bn),
        m(rect.mat_bn),
        rect.u_mm,
        rect.depth_mm,
        m(rect.gap_shift_bn),
    )


def _opening_dirs(opening_angle_deg: float) -> tuple[Vec2, Vec2, Vec2, Vec2]:
    h = math.radians(opening_angle_deg) / 2.0
    d_a = (-math.sin(h), math.cos(h))
    m_a = (-math.cos(h), -math.sin(h))
    d_b = (math.sin(h), math.cos(h))
    m_b = (math.cos(h), -math.sin(h))
    return d_a, m_a, d_b, m_b


def _neg(v: Vec2) -> Vec2:
    return (-v[0], -v[1])


def _bevel_strips(t: float, c: float, half_angle: float) -> list[SectionRect]:
    """Rotated boxes of plate A's bevel: faces on the bevel plane, union = the bevel triangle exactly.

    A strip over bevel length [u_i, u_i+1] stays above the plate bottom when its depth is at most
    (u_i cos(beta) + c) / sin(beta) and covers the triangle when it reaches the nearer of the lines n = 0 and
    b = b_top; both hold when the strip is no longer than c / cos(beta). With a root face thinner than t/16
    the deepest strips may poke up to t/16 below the plate bottom (documented approximation).
    """
    sb, cb = math.sin(half_angle), math.cos(half_angle)
    height = t - c
    length = height / cb
    c_eff = max(c, t / 16.0)
    count = max(1, math.ceil(height / c_eff - 1e-9))
    u_cross = height * sb * sb / cb

    def needed(u: float) -> float:
        return min(u * cb / sb, (height * sb / cb - u * sb) / cb)

    strips = []
    for i in range(count):
        u0, u1 = length * i / count, length * (i + 1) / count
        depth = max(needed(u0), needed(u1), needed(u_cross) if u0 < u_cross < u1 else 0.0)
        strips.append(
            SectionRect(
                f"plate_a_bevel{i}",
                "A",
                (0.0, 0.0),
                (-sb, cb),
                (-cb, -sb),
                (u0, u1),
                max(depth, 1e-3),
                (-0.5, 0.0),
            )
        )
    return strips


def cross_section(joint: JointSpec, dims: PlateDims) -> tuple[list[SectionRect], list[FusionFace]]:
    """Plate rectangles and the two fusion faces of a joint, in (b, n) mm around the seam point."""
    kind = joint.kind
    t_a, t_b, w_a, w_b = dims.thickness_a_mm, dims.thickness_b_mm, dims.width_a_mm, dims.width_b_mm
    if kind in (JointKind.FILLET, JointKind.LAP, JointKind.CORNER):
        d_a, m_a, d_b, m_b = _opening_dirs(joint.opening_angle_deg)
        faces = [
            FusionFace("A", (0.0, 0.0), d_a, _neg(m_a)),
            FusionFace("B", (0.0, 0.0), d_b, _neg(m_b), d_b),
        ]
        if kind is JointKind.FILLET:
            back = t_b / math.sin(math.radians(joint.opening_angle_deg))
            rects = [
                SectionRect("flange", "A", (0.0, 0.0), d_a, m_a, (-(back + w_a), w_a), t_a),
                SectionRect("web", "B", (0.0, 0.0), d_b, m_b, (0.0, w_b), t_b, d_b),
            ]
        elif kind is JointKind.LAP:
            rects = [
                SectionRect("lower_sheet", "A", (0.0, 0.0), d_a, m_a, (-w_b, w_a), t_a),
                SectionRect("upper_sheet", "B", (0.0, 0.0), d_b, m_b, (0.0, t_b), w_b, d_b),
            ]
        else:
            rects = [
                SectionRect("plate_a", "A", (0.0, 0.0), d_a, m_a, (0.0, t_a), w_a),
                SectionRect("plate_b", "B", (0.0, 0.0), d_b, m_b, (0.0, t_b), w_b, d_b),
            ]
        return rects, faces
    down, left, right = (0.0, -1.0), (-1.0, 0.0), (1.0, 0.0)
    if kind is JointKind.SQUARE_BUTT:
        rects = [
            SectionRect("plate_a", "A", (0.0, 0.0), down, left, (0.0, t_a), w_a, (-0.5, 0.0)),
            SectionRect("plate_b", "B", (0.0, 0.0), down, right, (0.0, t_b), w_b, (0.5, 0.0)),
        ]
        faces = [
            FusionFace("A", (0.0, 0.0), down, right, (-0.5, 0.0)),
            FusionFace("B", (0.0, 0.0), down, left, (0.5, 0.0)),
        ]
        return rects, faces
    # single-V butt (JointSpec guarantees 0 <= root face < t and 20 <= groove angle <= 90)
    t, c = joint.thickness_mm, joint.root_face_mm
    beta = math.radians(joint.groove_angle_deg) / 2.0
    run = (t - c) * math.tan(beta)
    half: list[SectionRect] = []
    if c > 0.0:
        half.append(SectionRect("plate_a_root", "A", (0.0, 0.0), down, left, (0.0, c), w_a, (-0.5, 0.0)))
    half.append(
        SectionRect("plate_a_body", "A", (-run, t - c), down, left, (0.0, t - c), w_a - run, (-0.5, 0.0))
    )
    half.extend(_bevel_strips(t, c, beta))
    rects = half + [_mirror(r) for r in half]
    sb, cb = math.sin(beta), math.cos(beta)
    faces = [
        FusionFace("A", (0.0, 0.0), (-sb, cb), (cb, sb), (-0.5, 0.0)),
        FusionFace("B", (0.0, 0.0), (sb, cb), (-cb, sb), (0.5, 0.0)),
    ]
    return rects, faces


def check_dims(joint: JointSpec, dims: PlateDims) -> None:
    """Raise ValueError when plate sizes contradict the joint (names the offending field)."""
    kind = joint.kind
    if kind is JointKind.LAP and abs(joint.opening_angle_deg - 90.0) > 1e-9:
        raise ValueError("opening_angle_deg of a lap joint must be 90 (square-cut upper sheet edge)")
    thinner = min(dims.thickness_a_mm, dims.thickness_b_mm)
    if kind.is_fillet_like and abs(joint.thickness_mm - thinner) > 1e-9:
        raise ValueError(
            f"thickness_mm must equal the thinner plate ({thinner:g} mm) for a {kind.value} joint, "
            f"got {joint.thickness_mm:g}"
        )
    if not kind.is_fillet_like:
        for name in ("thickness_a_mm", "thickness_b_mm"):
            if abs(getattr(dims, name) - joint.thickness_mm) > 1e-9:
                raise ValueError(
                    f"{name} must equal the joint thickness_mm ({joint.thickness_mm:g}) for a butt joint"
                )
    if kind is JointKind.SINGLE_V_BUTT:
        run = (joint.thickness_mm - joint.root_face_mm) * math.tan(math.radians(joint.groove_angle_deg) / 2.0)
        for name in ("width_a_mm", "width_b_mm"):
            if getattr(dims, name) <= run + 1.0:
                raise ValueError(f"{name} must exceed the bevel run of {run:.2f} mm by at least 1 mm")
