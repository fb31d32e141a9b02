"""Map a torch pose relative to the TRUE seam to the env's normalized action, and back.

The env (`weldcraft.envs.WeldCellEnv`, `ActionScaling`) reads its action a in [-1, 1]^5 as a torch
command around the seam the robot tracks (the reference):

    lateral_ref_mm = a0 * lateral_range_mm          (aim offset along the reference's b)
    ctwd_cmd_mm    = wps.ctwd_mm + a1 * ctwd_range_mm
    work_angle_deg = wps.work_angle_deg + a2 * work_angle_range_deg
    travel_angle   = wps.travel_angle_deg + a3 * travel_angle_range_deg
    speed_mm_s     = wps.travel_speed_mm_s * speed_ratio_max ** a4

A welder (the Craftsman, a recording) thinks relative to the TRUE seam. The env's privileged
`true_seam_state()` says where the true seam lies relative to the reference, (d_b, d_n) along the
reference's b and n. `command_to_action` inverts the mapping: it finds the reference-relative aim and
CTWD whose commanded tip, seen from the true seam's joint section, gives the wanted true lateral offset
and CTWD (a 2-D fixed-point solve on the section geometry, converged to 1e-10 mm), then scales and
clips. `action_to_command` is the forward map. Angles are taken in the reference frame (the true frame
differs by the part's rotation error, about 1 degree); the speed is along the reference.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from weldcraft.demos.command import TorchCommand, surface_n_mm, wire_seam
from weldcraft.types import FloatArray

_SOLVE_ITERATIONS = 30
_SOLVE_TOL_MM = 1e-10


def _unwrap(env: Any) -> Any:
    return getattr(env, "unwrapped", env)


def _true_aim(
    section: Any, lat_ref: float, ctwd_cmd: float, w: FloatArray, d_b: float, d_n: float
) -> tuple[float, float]:
    """(lateral, ctwd) from the true seam of the tip commanded at (lat_ref, ctwd_cmd) on the reference."""
    w_n, w_b = float(w[1]), float(w[2])
    o_n = surface_n_mm(section, lat_ref) - ctwd_cmd * w_n - d_n
    o_b = lat_ref - ctwd_cmd * w_b - d_b
    lam = section.hit(o_b, o_n, w_b, w_n)
    if not math.isfinite(lam):
        lam_aim = -o_n / w_n if w_n < -1e-9 else 0.0
        return o_b + lam_aim * w_b, math.inf
    return o_b + lam * w_b, lam


def _wire(env: Any, work_angle_deg: float, travel_angle_deg: float) -> FloatArray:
    return wire_seam(work_angle_deg, travel_angle_deg, env.work_angle_base_deg)


def command_to_action(cmd: TorchCommand, truth: Any, env: Any) -> np.ndarray:
    """The normalized action (5,) float32 that makes the env's torch follow `cmd` on the true seam.

    Args:
        cmd: lateral offset, CTWD, angles and speed relative to the true seam.
        truth: `env.true_seam_state()` of the current step (privileged).
        env: the `WeldCellEnv` (or a wrapper of it).
    """
    e = _unwrap(env)
    sc = e.action_scaling
    wps = e.wps
    w = _wire(e, cmd.work_angle_deg, cmd.travel_angle_deg)
    d_b, d_n = float(truth.reference_error_lateral_mm), float(truth.reference_error_normal_mm)
    lat_ref, ctwd_cmd = cmd.lateral_mm + d_b, cmd.ctwd_mm
    for _ in range(_SOLVE_ITERATIONS):
        lat, ctwd = _true_aim(e.section, lat_ref, ctwd_cmd, w, d_b, d_n)
        if not math.isfinite(ctwd):
            break
        err_l, err_c = cmd.lateral_mm - lat, cmd.ctwd_mm - ctwd
        lat_ref += err_l
        ctwd_cmd += err_c
        if abs(err_l) < _SOLVE_TOL_MM and abs(err_c) < _SOLVE_TOL_MM:
            break
    speed_ratio = max(cmd.travel_speed_mm_s, 1e-9) / wps.travel_speed_mm_s
    a = np.array(
        [
            lat_ref / sc.lateral_range_mm,
            (ctwd_cmd - wps.ctwd_mm) / sc.ctwd_range_mm,
            (cmd.work_angle_deg - wps.work_angle_deg) / sc.work_angle_range_deg,
            (cmd.travel_angle_deg - wps.travel_angle_deg) / sc.travel_angle_range_deg,
            math.log(speed_ratio) / math.log(sc.speed_ratio_max),
        ]
    )
    return np.clip(a, -1.0, 1.0).astype(np.float32)


def action_to_command(action: FloatArray, truth: Any, env: Any) -> TorchCommand:
    """The torch pose relative to the true seam that `action` commands (inverse of `command_to_action`)."""
    e = _unwrap(env)
    sc = e.action_scaling
    wps = e.wps
    a = np.clip(np.asarray(action, dtype=np.float64).reshape(5), -1.0, 1.0)
    work = wps.work_angle_deg + float(a[2]) * sc.work_angle_range_deg
    travel = wps.travel_angle_deg + float(a[3]) * sc.travel_angle_range_deg
    w = _wire(e, work, travel)
    d_b, d_n = float(truth.reference_error_lateral_mm), float(truth.reference_error_normal_mm)
    lat, ctwd = _true_aim(
        e.section,
        float(a[0]) * sc.lateral_range_mm,
        wps.ctwd_mm + float(a[1]) * sc.ctwd_range_mm,
        w,
        d_b,
        d_n,
    )
    return TorchCommand(
        lateral_mm=lat,
        ctwd_mm=ctwd,
        work_angle_deg=work,
        travel_angle_deg=travel,
        travel_speed_mm_s=wps.travel_speed_mm_s * sc.speed_ratio_max ** float(a[4]),
    )
