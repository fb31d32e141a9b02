"""The process-model kernel: one set of formulas for the batched (numpy) and the scalar (math) path.

``evaluate_kernel(ops, params, ...)`` is written against a tiny operations namespace: ``ARRAY_OPS`` maps
to numpy ufuncs (the batched ``ProcessModel.evaluate``), ``SCALAR_OPS`` to ``math`` and builtins (the
per-step ``ProcessModel.evaluate_one``, a few tens of microseconds). Both paths therefore run the same
formulas and agree to rounding.

Every formula and constant is documented in ``docs/process_model.md``; tags: [S] sourced, [M] recalled,
[U]/[assumption] engineering judgement (see ``shared/reference/welding-process.md``).

Steps per segment (all lengths mm, angles deg):

1. Current from WFS and CTWD (``arc.current_from_wfs_a``, Lesnewich calibrated on Fronius [S]).
2. Heat input Q = k U I / v * 1e-3 (EN 1011-1 [S]); deposited area A = eta (pi d^2/4) WFS / v [S].
3. Kim-Kwon-Siores power law [S] with inputs clamped to its validity box (flag ``model_clamped``):
   shape ratio H/W and penetration P. Outside the box P continues as sqrt(I S_c / (I_c S)), the
   fast-moving-source limit of Rosenthal (melt cross-section proportional to q/v, so depth ~ sqrt) [S/U].
4. Pose: travel angle (push flattens and reduces penetration, drag the opposite [S qualitative],
   factors 1 - 0.8 sin(ta) and 1 - 0.4 sin(ta) [assumption]); work-angle error and lateral offset give
   the heat bias beta = tanh(offset/1.5 mm + error/45 deg) towards side B [assumption calibrated on the
   windows +-0.5 mm / +-15 deg of the reference]; weave spreads the cap over W_k + weave width [U] and,
   beyond 3 wire diameters [S], lowers penetration.
5. Geometry by joint: fillet/lap/corner (legs, throat, convexity from a parabolic cap on the chord,
   gravity sag and leg asymmetry), butt (groove fill incl. gap, reinforcement, root penetration).
6. Imperfections (ISO 6520) and their ISO 5817 severity per segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from weldcraft.types import FloatArray, IntArray

DEG = math.pi / 180.0

# --- pose and process constants (all [assumption] unless noted; see docs/process_model.md) -----------
K_TA_ASPECT = 0.8  # push flattens the cap: H/W factor 1 - 0.8 sin(ta) (BOC p.25 qualitative [S])
K_TA_PEN = 0.4  # push reduces, drag increases penetration: 1 - 0.4 sin(ta) (G-W Fig. 7-14 [S] qual.)
OFFSET_REF_MM = 1.5  # lateral offset giving beta = tanh(1): the reference's "hard fail" 1.5 mm [U]
WORK_ERR_REF_DEG = 45.0  # work-angle error with the same effect as 1.5 mm offset [U]
K_CAP_FILLET = 0.25  # fillet face convexity ratio h/chord = 0.25 * (H/W of Kim) [U, tuned to PB]
K_SKEW = 0.6  # sag skews the cap towards the lower toe: cap angle x (1 +- K_SKEW g_asym A/A_SAG) [U]
K_SAG = 1.0  # gravity sag of the pool: cap ratio x (1 + K_SAG * G * (A / A_SAG)^2) [U]
A_SAG_MM2 = 32.0  # area of an 8 mm equal-leg fillet: AWS D1.1 max. single-pass PB fillet 5/16 in [M]
K_LEG_BIAS = 0.7  # ln(z_B/z_A) per unit heat bias beta [U]
K_LEG_SAG = 0.27  # ln(z_A/z_B) per unit gravity asymmetry at A = A_SAG (metal sags to the lower leg) [U]
K_WEAVE_PEN = 0.3  # penetration / (1 + 0.3 * (weave - 3d)/d) beyond the 3 d weave limit [S limit, U law]
P_REQ_MM = 1.7  # side-wall fusion needed on a plate, min(1.7 mm, 0.4 t); below: 4011 lack of fusion [U]
P_REQ_FRACTION = 0.4
UI_PER_WFS_REF = 25.0 * 282.2 / (8000.0 / 60.0)  # U I / w at 25 V, 8 m/min, CTWD 15 (heat per wire) [U]
# undercut index: K_UI (I/I_UC - 1) + K_UU (U/U_UC - 1) + K_UV (v/V_UC - 1) + K_UW weave/3d - K_UD dwell
#                 +- K_UA beta +- K_UG gravity; depth = U_SCALE * max(0, index)        [all U]
I_UC_A, K_UI = 280.0, 3.0
U_UC_V, K_UU = 26.0, 3.0
V_UC_MM_S, K_UV = 7.0, 3.0
K_UW, K_UD, K_UA, K_UG = 0.4, 2.0, 2.0, 0.6
U_SCALE_MM = 0.5
# porosity (2011), projected area %: poor gas shield at travel angles > 20 deg and CTWD > 22 mm [S causes]
K_POR_TA, TA_POR_DEG = 2.0, 20.0
K_POR_CTWD, CTWD_POR_MM = 1.5, 20.0
K_EDGE_MELT, LAP_EDGE_FRACTION = 0.5, 0.8  # lap: edge melt-back 0.5 (fusion_B - 0.8 t) [U]
K_CRATER = 0.5  # butt: penetration below the groove bottom = P - 0.5 x fill level [U]
K_CAP_BUTT = 0.5  # butt cap ratio h/b = 0.5 x (H/W of Kim): a cap in a groove is flatter than on a plate [U]
TOE_WETTING_MM = 1.0  # a butt cap wets at least 1 mm beyond each groove edge [U]
K_ROOT_H = 0.7  # root bead height = 0.7 (P - P_req) + 0.25 gap once the root is through [U]
K_ROOT_GAP = 0.25
ROOT_BEAD_EXTRA_MM = 2.0  # root-bead width = gap + 2 mm [U]
BURN_ROOT_MM = 3.0  # butt burn-through when P - P_req + 0.5 gap > 3 mm [U]
BURN_FILLET_FRACTION = 0.9  # fillet/lap burn-through when P + gap > 0.9 t [U]


Limits = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
#: Severity knots (0, l_B, l_C, l_D, l_D + max(l_D, 1)) of a row whose limits do not vary per segment.
Knots = tuple[float, float, float, float, float]


@dataclass(frozen=True)
class KernelParams:
    """Constants of one (WPS, joint, position) precomputed by ``ProcessModel``; see its docstring."""

    wire_diameter_mm: float
    wire_area_mm2: float
    eta_area: float  # deposition efficiency * wire area
    arc_efficiency: float
    melt_alpha: float
    melt_beta_over_area: float
    kim_w: tuple[float, float, float, float]  # ln-constant (D folded in), exponents of S, I, V
    kim_h: tuple[float, float, float, float]
    kim_p: tuple[float, float, float, float]
    diameter_flag: int
    fillet_like: bool
    lap: bool
    thickness_mm: float
    sin_open: float
    cos_open: float
    cos_half_open: float
    toe_ref_deg: float  # toe angle of a flat face: 90 + opening/2 (fillet) or 180 (butt)
    groove_area0_mm2: float  # (t - c)^2 tan(alpha/2) for a single-V, 0 square butt
    groove_top0_mm: float  # 2 (t - c) tan(alpha/2)
    groove_tan_half: float  # tan(alpha/2) of a single-V, 0 otherwise
    groove_depth_mm: float  # t - c of a single-V, 0 otherwise
    root_face_mm: float  # root face c (single-V) or t (square butt)
    g_asym: float  # (gamma_B - gamma_A)/2: gravity pulling metal from toe B towards the root, PB 0.5
    g_sag: float  # gravity severity for sag: |g_b| + max(0, g_n) + 0.5 max(0, -g_t)
    pen_position: float  # penetration factor of the position: 1 - 0.25 g_t (PG less, PF more) [U]
    design_throat_mm: float
    fusion_req_mm: float  # side-wall fusion needed: min(P_REQ_MM, P_REQ_FRACTION * t)
    # ISO 5817 limits per level (B, C, D) as (const, coef_b, cap); limit = min(const + coef_b * b, cap)
    lim_undercut: Knots
    lim_cap: Limits  # 503 (fillet) or 502 (butt)
    lim_toe: Knots  # toe-angle deficit from toe_ref_deg
    lim_asym: Knots
    lim_ins_throat: Knots
    lim_exc_throat: Knots
    lim_fill: Knots
    lim_root: Limits  # 504
    lim_irp: Knots  # 4021
    lim_gap: Knots  # 617
    lim_porosity: Knots


def _limit(lim: tuple[float, float, float], b: Any) -> Any:
    const, coef, cap = lim
    if coef == 0.0:
        return min(const, cap, 1e6)  # "unlimited" as a finite bound keeps the arithmetic clean
    return (
        np.minimum(np.minimum(const + coef * b, cap), 1e6)
        if isinstance(b, np.ndarray)
        else min(const + coef * b, cap, 1e6)
    )


#: Sizes up to 1e-9 mm count as absent: every band of the severity scale is at least this wide, so that
#: "not permitted" is a steep ramp instead of a step and the scale is one piecewise-linear function.
SEVERITY_EPS = 1e-9


def _knots(lb: Any, lc: Any, ld: Any) -> tuple[Any, Any, Any]:
    lb = np.maximum(lb, SEVERITY_EPS) if isinstance(lb, np.ndarray) else max(lb, SEVERITY_EPS)
    lc = np.maximum(lc, lb + SEVERITY_EPS) if isinstance(lb, np.ndarray) else max(lc, lb + SEVERITY_EPS)
    ld = np.maximum(ld, lc + SEVERITY_EPS) if isinstance(lc, np.ndarray) else max(ld, lc + SEVERITY_EPS)
    return lb, lc, ld


def knots(lims: Limits, b: float | None = None) -> Knots:
    """The severity knots of a row's limits (B, C, D as (const, coef_b, cap)) at reinforcement width b."""
    lb, lc, ld = _knots(_limit(lims[0], b), _limit(lims[1], b), _limit(lims[2], b))
    return (0.0, float(lb), float(lc), float(ld), float(ld + max(ld, 1.0)))


def severity_array(x: FloatArray, xp: Knots) -> FloatArray:
    """ISO severity of sizes x >= 0: level index (0 B .. 3 none) plus the position inside the band.

    Piecewise linear through the knots (0, 0), (l_B, 1), (l_C, 2), (l_D, 3), (l_D + max(l_D, 1), 4) and
    constant 4 beyond; bands are at least ``SEVERITY_EPS`` wide ("not permitted" = a 1e-9 mm ramp). The
    level is ceil(severity) - 1, so a size exactly at a limit still meets that level.
    """
    sev = x * (1.0 / xp[1])
    np.minimum(sev, 1.0, out=sev)
    for j in (1, 2, 3):
        band = x - xp[j]
        band *= 1.0 / (xp[j + 1] - xp[j])
        np.maximum(band, 0.0, out=band)
        np.minimum(band, 1.0, out=band)
        sev += band
    return sev


def severity_scalar(x: float, xp: Knots) -> float:
    """``severity_array`` for one Python float (same arithmetic, branches instead of clipping)."""
    if x <= xp[1]:
        return x * (1.0 / xp[1])
    if x <= xp[2]:
        return 1.0 + (x - xp[1]) * (1.0 / (xp[2] - xp[1]))
    if x <= xp[3]:
        return 2.0 + (x - xp[2]) * (1.0 / (xp[3] - xp[2]))
    if x <= xp[4]:
        return 3.0 + (x - xp[3]) * (1.0 / (xp[4] - xp[3]))
    return 4.0


def severity_b_array(x: FloatArray, lims: Limits, b: FloatArray) -> FloatArray:
    """``severity_array`` for a row whose limits depend on the per-segment width b."""
    lb, lc, ld = _knots(_limit(lims[0], b), _limit(lims[1], b), _limit(lims[2], b))
    band0 = np.minimum(x / lb, 1.0)
    band1 = np.minimum(np.maximum((x - lb) / (lc - lb), 0.0), 1.0)
    band2 = np.minimum(np.maximum((x - lc) / (ld - lc), 0.0), 1.0)
    band3 = np.minimum(np.maximum((x - ld) / np.maximum(ld, 1.0), 0.0), 1.0)
    return band0 + band1 + band2 + band3


def severity_b_scalar(x: float, lims: Limits, b: float) -> float:
    """``severity_b_array`` for one Python float (``knots(lims, b)`` inlined for floats: the same
    arithmetic without the array checks, on the env's per-step path)."""
    (c0, k0, m0), (c1, k1, m1), (c2, k2, m2) = lims
    lb = min(c0, m0, 1e6) if k0 == 0.0 else min(c0 + k0 * b, m0, 1e6)
    lc = min(c1, m1, 1e6) if k1 == 0.0 else min(c1 + k1 * b, m1, 1e6)
    ld = min(c2, m2, 1e6) if k2 == 0.0 else min(c2 + k2 * b, m2, 1e6)
    lb = max(lb, SEVERITY_EPS)
    lc = max(lc, lb + SEVERITY_EPS)
    ld = max(ld, lc + SEVERITY_EPS)
    return severity_scalar(x, (0.0, float(lb), float(lc), float(ld), float(ld + max(ld, 1.0))))


def level_array(sev: FloatArray) -> IntArray:
    """Level index 0 B, 1 C, 2 D, 3 none from a severity."""
    return np.maximum(np.ceil(sev) - 1.0, 0.0).astype(np.int64)


def level_scalar(sev: float) -> int:
    return max(math.ceil(sev) - 1, 0)


class _ArrayOps:
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tanh = staticmethod(np.tanh)
    atan = staticmethod(np.arctan)
    atan2 = staticmethod(np.arctan2)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    abs = staticmethod(np.abs)
    where = staticmethod(np.where)
    severity = staticmethod(severity_array)
    severity_b = staticmethod(severity_b_array)
    level = staticmethod(level_array)


def _where_scalar(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


class _ScalarOps:
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tanh = staticmethod(math.tanh)
    atan = staticmethod(math.atan)
    atan2 = staticmethod(math.atan2)
    maximum = staticmethod(max)
    minimum = staticmethod(min)
    abs = staticmethod(abs)
    where = staticmethod(_where_scalar)
    severity = staticmethod(severity_scalar)
    severity_b = staticmethod(severity_b_scalar)
    level = staticmethod(level_scalar)


ARRAY_OPS = _ArrayOps()
SCALAR_OPS = _ScalarOps()

_NP_ALL: Limits = ((0.0, 0.0, math.inf), (0.0, 0.0, math.inf), (0.0, 0.0, math.inf))
NP_ALL_KNOTS: Knots = knots(_NP_ALL)


def evaluate_kernel(
    o: Any,
    p: KernelParams,
    v: Any,
    ctwd: Any,
    ta: Any,
    wae: Any,
    off: Any,
    ww: Any,
    dwell: Any,
    gap: Any,
    wfs: Any,
    volt: Any,
    arc: Any,
) -> tuple[Any, ...]:
    """All outputs of one or many segments, in the order of ``model.BEAD_FIELDS`` (see there for units)."""
    exp, log, sqrt, sin, tanh, atan, atan2 = o.exp, o.log, o.sqrt, o.sin, o.tanh, o.atan, o.atan2
    mx, mn, absf, where, sv, svb, level = (
        o.maximum,
        o.minimum,
        o.abs,
        o.where,
        o.severity,
        o.severity_b,
        o.level,
    )

    def relu(x: Any) -> Any:
        return mx(x, 0.0)

    d = p.wire_diameter_mm
    # 1-2. current (Lesnewich), heat input (EN 1011-1), deposited area (mass balance)
    w = wfs * (1000.0 / 60.0)
    quad = p.melt_beta_over_area * ctwd
    current = (sqrt(p.melt_alpha * p.melt_alpha + 4.0 * quad * w * p.wire_area_mm2) - p.melt_alpha) / (
        2.0 * quad
    )
    heat = p.arc_efficiency * volt * current / v * 1e-3
    area = p.eta_area * w / v
    # 3. Kim-Kwon-Siores, inputs clamped to the validity box
    s_cm = 6.0 * v
    vc = mn(mx(volt, 20.0), 30.0)
    ic = mn(mx(current, 180.0), 360.0)
    sc = mn(mx(s_cm, 25.0), 41.0)
    clamped = (vc != volt) * 1 + (ic != current) * 2 + (sc != s_cm) * 4 + p.diameter_flag
    ln_s, ln_i, ln_v = log(sc), log(ic), log(vc)
    kw, kh, kp = p.kim_w, p.kim_h, p.kim_p
    width_k = exp(kw[0] + kw[1] * ln_s + kw[2] * ln_i + kw[3] * ln_v)
    height_k = exp(kh[0] + kh[1] * ln_s + kh[2] * ln_i + kh[3] * ln_v)
    pen_k = exp(kp[0] + kp[1] * ln_s + kp[2] * ln_i + kp[3] * ln_v)
    pen0 = pen_k * sqrt(current * sc / (ic * s_cm))  # Rosenthal continuation outside the box
    # 4. pose
    sin_ta = sin(ta * DEG)
    f_aspect = mx(1.0 - K_TA_ASPECT * sin_ta, 0.2)
    f_pen = mx(1.0 - K_TA_PEN * sin_ta, 0.3)
    weave = relu(ww)
    over_weave = relu(weave - 3.0 * d) / d
    pen = pen0 * f_pen * p.pen_position / (1.0 + K_WEAVE_PEN * over_weave)
    beta = tanh(off / OFFSET_REF_MM + wae / WORK_ERR_REF_DEG)
    heat_fac = volt * current / w / UI_PER_WFS_REF
    fusion_a = pen * sqrt(1.0 - beta) * heat_fac
    fusion_b = pen * sqrt(1.0 + beta) * heat_fac
    lof_a = relu(p.fusion_req_mm - fusion_a)
    lof_b = relu(p.fusion_req_mm - fusion_b)
    pool = area / A_SAG_MM2
    sag = 1.0 + K_SAG * p.g_sag * pool * pool
    aspect = (height_k / width_k) * f_aspect * width_k / (width_k + weave) * sag
    dwell_eff = dwell * mn(weave / d, 1.0)
    uc_base = (
        K_UI * (current / I_UC_A - 1.0)
        + K_UU * (volt / U_UC_V - 1.0)
        + K_UV * (v / V_UC_MM_S - 1.0)
        + K_UW * weave / (3.0 * d)
        - K_UD * dwell_eff
    )
    uc_side = K_UA * beta + K_UG * p.g_asym * pool
    undercut_a = U_SCALE_MM * relu(uc_base - uc_side)
    undercut_b = U_SCALE_MM * relu(uc_base + uc_side)
    porosity = K_POR_TA * relu(absf(ta) - TA_POR_DEG) / 10.0 + K_POR_CTWD * relu(ctwd - CTWD_POR_MM) / 6.0
    t = p.thickness_mm
    zero = 0.0  # a field that does not apply to this joint kind
    # 5. geometry by joint
    if p.fillet_like:
        cap_ratio = K_CAP_FILLET * aspect
        area_f = mx(area - gap * mn(pen, t), 0.05 * area)
        rho = exp(K_LEG_BIAS * beta - K_LEG_SAG * p.g_asym * pool)
        chord2 = 1.0 / rho + rho - 2.0 * p.cos_open
        z = sqrt(area_f / (0.5 * p.sin_open + (2.0 / 3.0) * cap_ratio * chord2))
        leg_a = z / sqrt(rho)
        leg_b = z * sqrt(rho)
        if p.lap:
            # the leg on the upper sheet's edge cannot exceed the sheet: the rest of the metal lengthens leg A
            # the leg on the sheet edge cannot exceed the sheet; the rest of the metal lengthens leg A
            qa = (2.0 / 3.0) * cap_ratio
            qb = 0.5 * t * p.sin_open - 2.0 * qa * t * p.cos_open
            qc = qa * t * t - area_f
            leg_a_capped = (sqrt(qb * qb - 4.0 * qa * qc) - qb) / (2.0 * qa)
            leg_a = where(leg_b > t, leg_a_capped, leg_a)
            leg_b = mn(leg_b, t)
            undercut_b = undercut_b + K_EDGE_MELT * relu(fusion_b - LAP_EDGE_FRACTION * t)
        chord = sqrt(leg_a * leg_a + leg_b * leg_b - 2.0 * leg_a * leg_b * p.cos_open)
        reinforcement = cap_ratio * chord
        width = chord
        throat = mn(leg_a, leg_b) * p.cos_half_open
        cap_deg = atan(4.0 * cap_ratio) / DEG
        skew = mn(K_SKEW * p.g_asym * pool, 0.5)  # g_asym > 0: B is the upper toe
        toe_a = 180.0 - atan2(leg_b * p.sin_open, leg_a - leg_b * p.cos_open) / DEG - cap_deg * (1.0 + skew)
        toe_b = 180.0 - atan2(leg_a * p.sin_open, leg_b - leg_a * p.cos_open) / DEG - cap_deg * (1.0 - skew)
        if (
            p.lap
        ):  # toe B lies on the upper sheet's top face, square to its edge: flush = 180 deg [S geometry]
            toe_b = 180.0 - absf(toe_b - 90.0)
        asym = absf(leg_a - leg_b)
        ins_throat = relu(p.design_throat_mm - throat)
        exc_throat = relu(throat - p.design_throat_mm)
        burn = pen + gap - BURN_FILLET_FRACTION * t
        fill = zero
        root_h = zero
        root_w = zero
        irp = zero
    else:
        groove_top = gap + p.groove_top0_mm
        p_req = relu(p.root_face_mm - gap)
        if p.groove_tan_half > 0.0:  # fill level y above the root face: tan(a/2) y^2 + gap y = A [S geometry]
            tan_h = p.groove_tan_half
            fill_level = mn((sqrt(gap * gap + 4.0 * tan_h * area) - gap) / (2.0 * tan_h), p.groove_depth_mm)
        else:
            fill_level = zero
        # the arc acts through the molten layer it fills the groove with; its crater displaces about half [U]
        root_ex = pen - K_CRATER * fill_level - p_req
        root_h = where(root_ex >= 0.0, K_ROOT_H * root_ex + K_ROOT_GAP * gap, zero)
        root_w = where(root_ex >= 0.0, gap + ROOT_BEAD_EXTRA_MM, zero)
        cap_area = area - p.groove_area0_mm2 - gap * t - (2.0 / 3.0) * root_h * root_w
        # the cap spreads to the butt shape ratio, at most over the arc-melted width W_k + weave [U]
        width = mx(
            mn(sqrt(1.5 * relu(cap_area) / (K_CAP_BUTT * aspect)), width_k + weave),
            groove_top + 2.0 * TOE_WETTING_MM,
        )
        reinforcement = 1.5 * relu(cap_area) / width
        fill = relu(-cap_area) / mx(groove_top, d)
        toe_a = 180.0 - atan(4.0 * reinforcement / width) / DEG
        toe_b = toe_a
        leg_a = zero
        leg_b = zero
        throat = zero
        asym = zero
        ins_throat = zero
        exc_throat = zero
        irp = relu(-root_ex)
        burn = root_ex + 0.5 * gap - BURN_ROOT_MM
    burn_through = relu(burn)
    # 6. ISO 5817 severity per row; the segment's level is the worst row
    sevs = [
        sv(undercut_a, p.lim_undercut),
        sv(undercut_b, p.lim_undercut),
        sv(relu(p.toe_ref_deg - mn(toe_a, toe_b)), p.lim_toe),
        svb(reinforcement, p.lim_cap, width),
        sv(porosity, p.lim_porosity),
        sv(lof_a + lof_b + burn_through, NP_ALL_KNOTS),
        # lack of fusion and burn-through are not permitted; a near miss raises the severity inside band B
        0.9 * mn(relu(2.0 - mn(fusion_a, fusion_b) / p.fusion_req_mm), 1.0),
        0.9 * mn(relu(1.0 + burn), 1.0),
    ]
    if p.fillet_like:
        sevs += [
            sv(asym, p.lim_asym) if not p.lap else zero,
            sv(ins_throat, p.lim_ins_throat),
            sv(exc_throat, p.lim_exc_throat),
            sv(gap, p.lim_gap),
        ]
    else:
        sevs += [sv(fill, p.lim_fill), svb(root_h, p.lim_root, root_w), sv(irp, p.lim_irp)]
    sev = sevs[0]
    for other in sevs[1:]:
        sev = mx(sev, other)
    k = level(sev)
    quality = mn(mx(1.0 - sev / 4.0, 0.0), 1.0)
    return (
        current,
        heat,
        area,
        width,
        reinforcement,
        pen,
        leg_a,
        leg_b,
        throat,
        toe_a,
        toe_b,
        fusion_a,
        fusion_b,
        undercut_a,
        undercut_b,
        lof_a,
        lof_b,
        porosity,
        reinforcement if not p.fillet_like else zero,  # 502 excess weld metal (butt)
        reinforcement if p.fillet_like else zero,  # 503 excessive convexity (fillet)
        asym,
        ins_throat,
        exc_throat,
        fill,
        root_h,
        root_w,
        irp,
        burn_through,
        gap,
        p.design_throat_mm,
        clamped,
        sev,
        k,
        quality,
    )
