"""Validation of a WeldProgram before anything is written.

Checks (what controllers and open post-processors enforce; robot-languages.md, "Validation before export"):

| check | what | severity |
|---|---|---|
| non_finite | nan/inf in times, poses or joints | error |
| time | times not strictly increasing | error |
| joint_limit | a joint outside [lower, upper] | error |
| joint_speed | \\|Δq/Δt\\| above the joint's max speed | error |
| joint_accel | second difference above the max acceleration (when the robot gives them) | error |
| reach | TCP farther from the base origin than reach + tool length | error |
| wrist_flip | J5 changes sign between consecutive points (wrist singularity) | error in a weld* |
| wrist_jump | J4 or J6 jumps more than `max_wrist_step_deg` between consecutive points | error in a weld* |
| config_change | the elbow crosses its stretched position (when the robot gives it) | error in a weld* |
| kinematics | TCP pose disagrees with FK of the joints (optional `fk` hook) | error |
| collision | the optional collision hook reports contact | error |
| no_weld | the arc never turns on | warning |

(*) a warning on air moves, an error on moves that arrive at or leave an arc-on point.

Controller-specific checks (names, program length, joint data) are added by `weldcraft.export.pipeline`.
Runs of consecutive failing points are reported as one issue with the first index, the count and the worst
value, so a report stays readable for 10,000-point programs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from weldcraft.errors import UserError
from weldcraft.export.program import WeldProgram
from weldcraft.export.rotations import angle_between_deg
from weldcraft.types import BoolArray, FloatArray

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One validation finding: which check, where (point index and time) and what was expected."""

    check: str
    severity: Severity
    message: str
    index: int | None = None
    time_s: float | None = None
    count: int = 1

    def line(self) -> str:
        where = ""
        if self.index is not None:
            where = f"point {self.index}"
            if self.count > 1:
                where += f"..{self.index + self.count - 1} ({self.count} points)"
            if self.time_s is not None:
                where += f", t={self.time_s:.3f} s"
            where = f" at {where}"
        return f"{self.severity}: {self.check}{where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """All findings for one program and one target format."""

    program: str
    target: str
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def checks_failed(self) -> set[str]:
        return {i.check for i in self.errors}

    def merged(self, other: Sequence[Issue]) -> ValidationReport:
        return ValidationReport(self.program, self.target, self.issues + tuple(other))

    def text(self) -> str:
        head = (
            f"validation of program '{self.program}' for {self.target}: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )
        return "\n".join([head, *(i.line() for i in self.issues)]) + "\n"

    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "schema": "weldcraft.validation_report",
            "schema_version": 1,
            "program": self.program,
            "target": self.target,
            "ok": self.ok,
            "issues": [
                {k: getattr(i, k) for k in ("check", "severity", "message", "index", "time_s", "count")}
                for i in self.issues
            ],
        }
        return json.dumps(doc, indent=1) + "\n"


class ExportRefused(UserError):
    """A program failed validation and was not written; `report` lists every failure."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        first = "; ".join(i.line() for i in report.errors[:3])
        more = f" (+{len(report.errors) - 3} more)" if len(report.errors) > 3 else ""
        super().__init__(
            f"program '{report.program}' refused for {report.target}: {first}{more}; "
            "nothing was written (force=True writes it with the report as warnings)"
        )


class CollisionCheck(Protocol):
    """Hook the env supplies: returns (point index, description) for every point in collision."""

    def __call__(self, program: WeldProgram) -> Sequence[tuple[int, str]]: ...


ForwardKinematics = Callable[[FloatArray], tuple[FloatArray, FloatArray]]
"""q (N, J) rad → (TCP positions (N, 3) m, quaternions (N, 4) [x, y, z, w]) in the robot base frame."""


@dataclass(frozen=True)
class ValidationOptions:
    """Thresholds of the checks (defaults are conservative for arc welding)."""

    limit_margin_rad: float = 1e-6
    speed_margin: float = 1e-6
    max_wrist_step_deg: float = 30.0
    fk_tol_mm: float = 1.0
    fk_tol_deg: float = 0.5


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in a 1-D mask."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _issues_from_mask(
    check: str,
    mask: BoolArray,
    values: FloatArray,
    t_s: FloatArray,
    describe: Callable[[int, float], str],
    severity: Severity | BoolArray = "error",
    offset: int = 0,
) -> list[Issue]:
    """One issue per run of True in `mask`; `values` (same length) picks the worst point of a run;
    `offset` maps mask positions to point indices (1 for arrays that start at the second point)."""
    out = []
    for a, b in _runs(mask):
        k = a + int(np.argmax(np.abs(values[a:b])))
        if isinstance(severity, str):
            sev: Severity = severity
        else:
            sev = "error" if severity[a:b].any() else "warning"
        i = a + offset
        t = float(t_s[i]) if np.isfinite(t_s[i]) else None
        out.append(Issue(check, sev, describe(k, float(values[k])), i, t, b - a))
    return out


def _msg(fmt: str, **fixed: object) -> Callable[[int, float], str]:
    """A describe function for `_issues_from_mask`: formats `fmt` with k (index), k1 (k + 1), v (the value),
    value (v + lim when lim is given) and the fixed keywords."""

    def describe(k: int, v: float) -> str:
        lim = fixed.get("lim", 0.0)
        value = v + lim if isinstance(lim, float) else v
        return fmt.format(k=k, k1=k + 1, v=v, value=value, **fixed)

    return describe


def _weld_pair_mask(program: WeldProgram) -> BoolArray:
    """(N-1,) True where the move i → i+1 belongs to a weld (arrives at or leaves an arc-on point)."""
    arc = program.arc_on
    return np.asarray(arc[1:] | arc[:-1], dtype=bool)


def validate_program(
    program: WeldProgram,
    *,
    target: str = "any",
    options: ValidationOptions | None = None,
    collision_check: CollisionCheck | None = None,
    fk: ForwardKinematics | None = None,
) -> ValidationReport:
    """Run every format-independent check and return the report (never raises for a bad program)."""
    opt = options or ValidationOptions()
    issues: list[Issue] = []
    t = program.t_s
    names = program.robot.joint_names
    # non-finite values
    arrays: list[tuple[str, np.ndarray]] = [
        ("t_s", t[:, None]),
        ("tcp_pos_m", program.tcp_pos_m),
        ("tcp_quat_xyzw", program.tcp_quat_xyzw),
    ]
    if program.q_rad is not None:
        arrays.append(("q_rad", program.q_rad))
    finite = np.ones(program.n_points, dtype=bool)
    for label, arr in arrays:
        bad = ~np.all(np.isfinite(arr), axis=1)
        finite &= ~bad
        for a, b in _runs(bad):
            issues.append(
                Issue(
                    "non_finite", "error", f"{label} is nan or inf; expected finite numbers", a, None, b - a
                )
            )
    if not finite.all():
        # Derivative checks on non-finite data only repeat the same finding.
        return ValidationReport(program.name, target, tuple(issues))
    dt = np.diff(t)
    for a, b in _runs(dt <= 0.0):
        issues.append(
            Issue(
                "time",
                "error",
                f"time does not increase (t={t[a]:.6f} s then {t[a + 1]:.6f} s)",
                a + 1,
                float(t[a + 1]),
                b - a,
            )
        )
    # reach
    dist = np.linalg.norm(program.tcp_pos_m, axis=1)
    reach = program.robot.reach_m + float(np.linalg.norm(program.tool.position_m))
    issues += _issues_from_mask(
        "reach",
        dist > reach,
        dist,
        t,
        lambda k, v: (
            f"TCP is {v:.3f} m from the base origin; the robot reaches {reach:.3f} m "
            f"(arm {program.robot.reach_m:.3f} m + tool)"
        ),
    )
    weld_pair = _weld_pair_mask(program)
    if program.q_rad is not None:
        issues += _joint_checks(program, opt, weld_pair, names)
    if fk is not None and program.q_rad is not None:
        pos, quat = fk(np.asarray(program.q_rad))
        err_mm = np.linalg.norm(pos - program.tcp_pos_m, axis=1) * 1000.0
        err_deg = angle_between_deg(quat, program.tcp_quat_xyzw)
        bad = (err_mm > opt.fk_tol_mm) | (err_deg > opt.fk_tol_deg)
        issues += _issues_from_mask(
            "kinematics",
            bad,
            err_mm,
            t,
            lambda k, v: (
                f"FK of the joints is {v:.3f} mm / {err_deg[k]:.3f} deg from the TCP pose; "
                f"expected within {opt.fk_tol_mm} mm / {opt.fk_tol_deg} deg"
            ),
        )
    if collision_check is not None:
        for idx, what in collision_check(program):
            issues.append(Issue("collision", "error", what, int(idx), float(t[int(idx)])))
    if not program.arc_on.any():
        issues.append(Issue("no_weld", "warning", "the arc never turns on: the program welds nothing"))
    return ValidationReport(program.name, target, tuple(issues))


def _joint_checks(
    program: WeldProgram, opt: ValidationOptions, weld_pair: BoolArray, names: Sequence[str]
) -> list[Issue]:
    assert program.q_rad is not None
    q = np.asarray(program.q_rad)
    t = program.t_s
    robot = program.robot
    issues: list[Issue] = []
    lower = np.asarray(robot.joint_lower_rad)
    upper = np.asarray(robot.joint_upper_rad)
    for j, name in enumerate(names):
        for side, mask, lim in (
            ("above its upper", q[:, j] > upper[j] + opt.limit_margin_rad, upper[j]),
            ("below its lower", q[:, j] < lower[j] - opt.limit_margin_rad, lower[j]),
        ):
            issues += _issues_from_mask(
                "joint_limit",
                mask,
                q[:, j] - lim,
                t,
                _msg("{name} is {value:.4f} rad, {side} limit {lim:.4f} rad", name=name, side=side, lim=lim),
            )
    if q.shape[0] < 2:
        return issues
    dt = np.diff(t)
    safe_dt = np.where(dt > 0, dt, np.nan)
    vel = np.diff(q, axis=0) / safe_dt[:, None]
    vmax = np.asarray(robot.max_joint_speed_rad_s)
    for j, name in enumerate(names):
        speed = np.abs(np.nan_to_num(vel[:, j]))
        issues += _issues_from_mask(
            "joint_speed",
            speed > vmax[j] * (1 + opt.speed_margin),
            speed,
            t,
            _msg(
                "{name} moves at {v:.3f} rad/s between points {k} and {k1}; max {vmax:.3f} rad/s",
                name=name,
                vmax=vmax[j],
            ),
        )
    if robot.max_joint_accel_rad_s2 is not None and q.shape[0] >= 3:
        amax = np.asarray(robot.max_joint_accel_rad_s2)
        acc = 2.0 * np.diff(np.nan_to_num(vel), axis=0) / (t[2:] - t[:-2])[:, None]
        for j, name in enumerate(names):
            a = np.abs(acc[:, j])
            issues += _issues_from_mask(
                "joint_accel",
                a > amax[j] * (1 + opt.speed_margin),
                a,
                t,
                _msg(
                    "{name} accelerates at {v:.2f} rad/s^2 at point {k1}; max {amax:.2f} rad/s^2",
                    name=name,
                    amax=amax[j],
                ),
                offset=1,
            )
    j4, j5, j6 = robot.wrist_joints
    sign5 = np.sign(q[:, j5])
    flip = (sign5[1:] * sign5[:-1]) < 0
    issues += _issues_from_mask(
        "wrist_flip",
        flip,
        q[1:, j5],
        t,
        lambda k, v: (
            f"{names[j5]} changes sign ({q[k, j5]:.4f} -> {q[k + 1, j5]:.4f} rad): the wrist passes its "
            "singularity; expected one sign along a linear move"
        ),
        severity=weld_pair,
    )
    step = np.degrees(np.maximum(np.abs(np.diff(q[:, j4])), np.abs(np.diff(q[:, j6]))))
    issues += _issues_from_mask(
        "wrist_jump",
        step > opt.max_wrist_step_deg,
        step,
        t,
        lambda k, v: (
            f"{names[j4]}/{names[j6]} jump {v:.1f} deg between points {k} and {k + 1}; "
            f"expected at most {opt.max_wrist_step_deg:.1f} deg"
        ),
        severity=weld_pair,
    )
    if robot.elbow_singular_rad is not None:
        e = np.sign(q[:, robot.elbow_joint] - robot.elbow_singular_rad)
        change = (e[1:] * e[:-1]) < 0
        issues += _issues_from_mask(
            "config_change",
            change,
            q[1:, robot.elbow_joint],
            t,
            lambda k, v: (
                f"the elbow ({names[robot.elbow_joint]}) crosses its stretched position "
                f"{robot.elbow_singular_rad:.4f} rad between points {k} and {k + 1}"
            ),
            severity=weld_pair,
        )
    return issues
