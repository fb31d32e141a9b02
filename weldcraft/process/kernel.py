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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

DEG = math.pi / 180.0

# --- pose and process constants (all [assumption] unless noted; see docs/process_model.md) -----------
K_TA_ASPECT = 0.8  # push flattens the cap: H/W factor 1 - 0.8 sin(ta) (BOC p.25 qualitative [S])
K_TA_PEN = 0.4  # push reduces, drag increases penetration: 1 - 0.4 sin(ta) (G-W Fig. 7-14 [S] qual.)
OFFSET_REF_MM = 1.5  # lateral offset giving beta = tanh(1): the reference's "hard fail" 1.5 mm [U]
WORK_ERR_REF_DEG = 45.0  # work-angle error with the same effect as 1.5 mm offset [U]
K_CAP_FILLET = 0.30  # fillet face convexity ratio h/chord = 0.30 * (H/W of Kim) [U, tuned to PB]
K_SAG = 1.0  # gravity sag of the pool: cap ratio x (1 + K_SAG * G * (A / A_SAG)^2) [U]
A_SAG_MM2 = 32.0  # area of an 8 mm equal-leg fillet: AWS D1.1 max. single-pass PB fillet 5/16 in [M]
K_LEG_BIAS = 0.7  # ln(z_B/z_A) per unit heat bias beta [U]
K_LEG_SAG = 0.27  # ln(z_A/z_B) per unit gravity asymmetry at A = A_SAG (metal sags to the lower leg) [U]
K_WEAVE_PEN = 0.3  # penetration / (1 + 0.3 * (weave - 3d)/d) beyond the 3 d weave limit [S limit, U law]
P_REQ_MM = 1.7  # side-wall fusion needed on a plate; below it: 4011 lack of side-wall fusion [U]
UI_PER_WFS_REF = 25.0 * 282.2 / (8000.0 / 60.0)  # U I / w at 25 V, 8 m/min, CTWD 15 (heat per wire) [U]
# undercut index: K_UI (I/I_UC - 1) + K_UU (U/U_UC - 1) + K_UV (v/V_UC - 1) + K_UW weave/3d - K_UD dwell
#                 +- K_UA beta +- K_UG gravity; depth = U_SCALE * max(0, index)        [all U]
I_UC_A, K_UI = 280.0, 2.0
U_UC_V, K_UU = 26.0, 3.0
V_UC_MM_S, K_UV = 7.5, 3.0
K_UW, K_UD, K_UA, K_UG = 0.4, 2.0, 2.0, 0.6
U_SCALE_MM = 0.5
# porosity (2011), projected area %: poor gas shield at travel angles > 20 deg and CTWD > 22 mm [S causes]
K_POR_TA, TA_POR_DEG = 2.0, 20.0
K_POR_CTWD, CTWD_POR_MM = 2.0, 22.0
TOE_WETTING_MM = 1.0  # a butt cap wets at least 1 mm beyond each groove edge [U]
K_ROOT_H = 0.5  # root bead height = 0.5 (P - P_req) + 0.25 gap once the root is through [U]
K_ROOT_GAP = 0.25
ROOT_BEAD_EXTRA_MM = 2.0  # root-bead width = gap + 2 mm [U]
BURN_ROOT_MM = 2.0  # butt burn-through when P - P_req + 0.5 gap > 2 mm [U]
BURN_FILLET_FRACTION = 0.9  # fillet/lap burn-through when P + gap > 0.9 t [U]


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


ARRAY_OPS = _ArrayOps()
SCALAR_OPS = _ScalarOps()

Limits = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


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
    root_face_mm: float  # root face c (single-V) or t (square butt)
    g_asym: float  # (gamma_B - gamma_A)/2: gravity pulling metal from toe B towards the root, PB 0.5
    g_sag: float  # gravity severity for sag: |g_b| + max(0, g_n) + 0.5 max(0, -g_t)
    pen_position: float  # penetration factor of the position: 1 - 0.25 g_t (PG less, PF more) [U]
    design_throat_mm: float
    # ISO 5817 limits per level (B, C, D) as (const, coef_b, cap); limit = min(const + coef_b * b, cap)
    lim_undercut: Limits
    lim_cap: Limits  # 503 (fillet) or 502 (butt)
    lim_toe: Limits  # toe-angle deficit from toe_ref_deg
    lim_asym: Limits
    lim_ins_throat: Limits
    lim_exc_throat: Limits
    lim_fill: Limits
    lim_root: Limits  # 504
    lim_irp: Limits  # 4021
    lim_gap: Limits  # 617
    lim_porosity: Limits


def _limit(o: Any, lim: tuple[float, float, float], b: Any) -> Any:
    const, coef, cap = lim
    if coef == 0.0:
        return const
    return o.minimum(const + coef * b, cap)


def _severity(o: Any, x: Any, lims: Limits, b: Any = None) -> tuple[Any, Any]:
    """Level index k (0 B .. 3 none) and severity k + position inside the band, for size x >= 0."""
    lb = _limit(o, lims[0], b)
    lc = _limit(o, lims[1], b)
    ld = o.minimum(_limit(o, lims[2], b), 1e6)  # "unlimited" as a finite bound keeps the arithmetic clean
    k = (x > lb) * 1 + (x > lc) * 1 + (x > ld) * 1
    f0 = x / o.maximum(lb, 1e-12)
    f1 = 1.0 + (x - lb) / o.maximum(lc - lb, 1e-12)
    f2 = 2.0 + (x - lc) / o.maximum(ld - lc, 1e-12)
    f3 = 3.0 + o.minimum((x - ld) / o.maximum(ld, 1.0), 1.0)
    sev = o.where(k == 0, f0, o.where(k == 1, f1, o.where(k == 2, f2, f3)))
    return k, sev


_NP_ALL: Limits = ((0.0, 0.0, math.inf), (0.0, 0.0, math.inf), (0.0, 0.0, math.inf))


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
    relu: Callable[[Any], Any] = lambda x: o.maximum(x, 0.0)  # noqa: E731
    d = p.wire_diameter_mm
    # 1-2. current (Lesnewich), heat input (EN 1011-1), deposited area (mass balance)
    w = wfs * (1000.0 / 60.0)
    quad = p.melt_beta_over_area * ctwd
    current = (o.sqrt(p.melt_alpha * p.melt_alpha + 4.0 * quad * w * p.wire_area_mm2) - p.melt_alpha) / (
        2.0 * quad
    )
    heat = p.arc_efficiency * volt * current / v * 1e-3
    area = p.eta_area * w / v
    # 3. Kim-Kwon-Siores, inputs clamped to the validity box
    s_cm = 6.0 * v
    vc = o.minimum(o.maximum(volt, 20.0), 30.0)
    ic = o.minimum(o.maximum(current, 180.0), 360.0)
    sc = o.minimum(o.maximum(s_cm, 25.0), 41.0)
    clamped = (vc != volt) * 1 + (ic != current) * 2 + (sc != s_cm) * 4 + p.diameter_flag
    ln_s, ln_i, ln_v = o.log(sc), o.log(ic), o.log(vc)
    kw, kh, kp = p.kim_w, p.kim_h, p.kim_p
    width_k = o.exp(kw[0] + kw[1] * ln_s + kw[2] * ln_i + kw[3] * ln_v)
    height_k = o.exp(kh[0] + kh[1] * ln_s + kh[2] * ln_i + kh[3] * ln_v)
    pen_k = o.exp(kp[0] + kp[1] * ln_s + kp[2] * ln_i + kp[3] * ln_v)
    pen0 = pen_k * o.sqrt(current * sc / (ic * s_cm))  # Rosenthal continuation outside the box
    # 4. pose
    sin_ta = o.sin(ta * DEG)
    f_aspect = o.maximum(1.0 - K_TA_ASPECT * sin_ta, 0.2)
    f_pen = o.maximum(1.0 - K_TA_PEN * sin_ta, 0.3)
    weave = relu(ww)
    over_weave = relu(weave - 3.0 * d) / d
    pen = pen0 * f_pen * p.pen_position / (1.0 + K_WEAVE_PEN * over_weave)
    beta = o.tanh(off / OFFSET_REF_MM + wae / WORK_ERR_REF_DEG)
    heat_fac = o.sqrt(volt * current / w / UI_PER_WFS_REF)
    fusion_a = pen * o.sqrt(1.0 - beta) * heat_fac
    fusion_b = pen * o.sqrt(1.0 + beta) * heat_fac
    lof_a = relu(P_REQ_MM - fusion_a)
    lof_b = relu(P_REQ_MM - fusion_b)
    pool = area / A_SAG_MM2
    sag = 1.0 + K_SAG * p.g_sag * pool * pool
    aspect = (height_k / width_k) * f_aspect * width_k / (width_k + weave) * sag
    dwell_eff = dwell * o.minimum(weave / d, 1.0)
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
    porosity = K_POR_TA * relu(o.abs(ta) - TA_POR_DEG) / 10.0 + K_POR_CTWD * relu(ctwd - CTWD_POR_MM) / 6.0
    t = p.thickness_mm
    zero = 0.0 * v
    # 5. geometry by joint
    if p.fillet_like:
        cap_ratio = K_CAP_FILLET * aspect
        area_f = o.maximum(area - gap * o.minimum(pen, t), 0.05 * area)
        rho = o.exp(K_LEG_BIAS * beta - K_LEG_SAG * p.g_asym * pool)
        chord2 = 1.0 / rho + rho - 2.0 * p.cos_open
        z = o.sqrt(area_f / (0.5 * p.sin_open + (2.0 / 3.0) * cap_ratio * chord2))
        leg_a = z / o.sqrt(rho)
        leg_b = z * o.sqrt(rho)
        if p.lap:  # the upper sheet's edge melts back where the leg would exceed it [U]
            edge = relu(leg_b - t)
            leg_b = o.minimum(leg_b, t)
            undercut_b = undercut_b + edge
        chord = o.sqrt(leg_a * leg_a + leg_b * leg_b - 2.0 * leg_a * leg_b * p.cos_open)
        reinforcement = cap_ratio * chord
        width = chord
        throat = o.minimum(leg_a, leg_b) * p.cos_half_open
        cap_deg = o.atan(4.0 * cap_ratio) / DEG
        toe_a = 180.0 - o.atan2(leg_b * p.sin_open, leg_a - leg_b * p.cos_open) / DEG - cap_deg
        toe_b = 180.0 - o.atan2(leg_a * p.sin_open, leg_b - leg_a * p.cos_open) / DEG - cap_deg
        asym = o.abs(leg_a - leg_b)
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
        root_ex = pen - p_req
        root_h = o.where(root_ex >= 0.0, K_ROOT_H * root_ex + K_ROOT_GAP * gap, zero)
        root_w = o.where(root_ex >= 0.0, gap + ROOT_BEAD_EXTRA_MM, zero)
        cap_area = area - p.groove_area0_mm2 - gap * t - (2.0 / 3.0) * root_h * root_w
        width = o.maximum(o.sqrt(1.5 * relu(cap_area) / aspect), groove_top + 2.0 * TOE_WETTING_MM)
        reinforcement = 1.5 * relu(cap_area) / width
        fill = relu(-cap_area) / o.maximum(groove_top, d)
        toe_a = 180.0 - o.atan(4.0 * reinforcement / width) / DEG
        toe_b = toe_a
        leg_a = zero
        leg_b = zero
        throat = zero
        asym = zero
        ins_throat = zero
        exc_throat = zero
        irp = relu(p_req - pen)
        burn = root_ex + 0.5 * gap - BURN_ROOT_MM
    burn_through = relu(burn)
    # 6. ISO 5817 severity per row; the segment's level is the worst row
    toe_min = o.minimum(toe_a, toe_b)
    k, sev = _severity(o, undercut_a, p.lim_undercut)
    k2, s2 = _severity(o, undercut_b, p.lim_undercut)
    k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    k2, s2 = _severity(o, relu(p.toe_ref_deg - toe_min), p.lim_toe)
    k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    k2, s2 = _severity(o, reinforcement, p.lim_cap, width)
    k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    k2, s2 = _severity(o, porosity, p.lim_porosity)
    k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    # lack of fusion and burn-through: not permitted; a near miss raises the severity inside band B
    near = 0.9 * o.minimum(relu(2.0 - o.minimum(fusion_a, fusion_b) / P_REQ_MM), 1.0)
    near = o.maximum(near, 0.9 * o.minimum(relu(1.0 + burn), 1.0))
    k2, s2 = _severity(o, lof_a + lof_b + burn_through, _NP_ALL)
    k, sev = o.maximum(k, k2), o.maximum(o.maximum(sev, s2), near)
    if p.fillet_like:
        for size, lims in (
            (asym, p.lim_asym),
            (ins_throat, p.lim_ins_throat),
            (exc_throat, p.lim_exc_throat),
            (gap, p.lim_gap),
        ):
            k2, s2 = _severity(o, size, lims)
            k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    else:
        k2, s2 = _severity(o, fill, p.lim_fill)
        k, sev = o.maximum(k, k2), o.maximum(sev, s2)
        k2, s2 = _severity(o, root_h, p.lim_root, root_w)
        k, sev = o.maximum(k, k2), o.maximum(sev, s2)
        k2, s2 = _severity(o, irp, p.lim_irp)
        k, sev = o.maximum(k, k2), o.maximum(sev, s2)
    quality = o.minimum(o.maximum(1.0 - sev / 4.0, 0.0), 1.0)
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
        gap + zero,
        p.design_throat_mm + zero,
        clamped,
        sev,
        k,
        quality,
    )
