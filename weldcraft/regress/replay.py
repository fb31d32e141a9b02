"""Replay a robot program in the welding cell, and record a program from a cell rollout.

``replay_program(program, job, seed=None) -> ReplayResult`` runs a `WeldProgram` (as
``weldcraft.export.read_program`` returns it from any exported format) in a `WeldCellEnv` and grades the
weld the cell makes. The env stays the single source of kinematics and physics: the replay drives it
through its public action interface, with the seam tracker off (``seam_tracking=False``: the robot
follows its programmed path, as a controller running a fixed program does). Per control step k:

1. the program's TCP pose at t_k = k·dt after arc-on (dense motion from ``densify_program``, so native
   weave is superimposed as the controller would), taken from the robot BASE frame to the world with the
   cell's robot base pose;
2. the torch state of that pose relative to the PROGRAMMED seam (``weldcraft.envs.torch_geometry``:
   aimed arc length s, lateral offset, CTWD, work- and travel-angle error, CONTRACTS.md conventions);
3. the action that commands exactly that torch state: channels 0-3 are absolute settings of the env's
   `ActionScaling`; the speed channel is chosen so that the commanded arc length reaches the aimed s;
4. ``env.step``: IK within limits, joint speed/acceleration limiter, collisions, process model, grade.

A program outside the env's command range (e.g. a lateral offset beyond ±lateral_range_mm) is clipped
and counted in ``ReplayResult.clipped_steps``. After the program's last arc-on point the replay holds
its last seam-relative offsets at nominal speed until the seam end (the env's weld runs to the end).
The process data of the program's first weld segment replaces the job's WPS settings (WFS, voltage,
travel speed), so a program with other settings is graded with them.

``record_program(job, ...) -> WeldProgram`` is the inverse: a rollout (zero actions = the nominal
straight weld, or an action function) recorded as a program in the robot base frame, ready for any
exporter. (The export layer's own extraction from rollouts supersedes it once it lands.)
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pybullet as pb
from scipy.spatial.transform import Rotation

from weldcraft.envs.torch_geometry import torch_state
from weldcraft.envs.weld_cell_env import WeldCellEnv, default_max_episode_steps
from weldcraft.errors import DataError
from weldcraft.export import Pose, ProcessData, Provenance, RobotSpec, WeldProgram, densify_program
from weldcraft.process import BeadSegments
from weldcraft.seams import WeldJob
from weldcraft.types import FloatArray

log = logging.getLogger(__name__)

#: Resampling step of the program's dense motion (s): well below the 50 ms control step.
DENSE_DT_S = 0.005
ActionFn = Callable[[int, np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class ReplayResult:
    """What the cell did with a program (arrays over the K control steps of the weld).

    Attributes:
        weld: ``info["weld"]`` of the episode's last step (DESIGN §9, plus ``dominant_code`` etc.).
        termination_reason: "seam_complete", "collision", "lost_seam", "unreachable" or "time_limit".
        t_s: (K,) time since arc-on.
        s_mm: (K,) commanded arc length along the seam.
        tcp_pos_base_m: (K, 3) executed TCP positions in the robot base frame.
        target_pos_base_m: (K, 3) the program's TCP positions at the same times (base frame).
        clipped_steps: steps whose command was outside the env's action range.
        program_end_s_mm: arc length aimed at by the program's last arc-on point.
        bead: the recorded bead segments (``BeadSegments``) and their centres ``bead_s_mm`` (M,).
        thickness_mm / design_throat_mm: the joint's t and the design throat a of the ISO 5817 limits.
    """

    weld: dict[str, Any]
    termination_reason: str
    t_s: FloatArray
    s_mm: FloatArray
    tcp_pos_base_m: FloatArray
    target_pos_base_m: FloatArray
    clipped_steps: int
    program_end_s_mm: float
    bead: BeadSegments
    bead_s_mm: FloatArray
    thickness_mm: float
    design_throat_mm: float

    @property
    def tracking_rms_mm(self) -> float:
        """RMS distance (mm) between the executed TCP and the program's, step by step."""
        d = self.tcp_pos_base_m - self.target_pos_base_m
        return float(np.sqrt(np.mean(np.sum(d * d, axis=1))) * 1000.0)

    def bead_value(self, field: str, s_mm: float) -> float:
        """A bead field (``BEAD_FIELDS`` name) at the segment nearest ``s_mm``."""
        if self.bead_s_mm.size == 0:
            return float("nan")
        i = int(np.argmin(np.abs(self.bead_s_mm - s_mm)))
        return float(getattr(self.bead, field)[i])


def base_pose(env: WeldCellEnv) -> tuple[FloatArray, FloatArray]:
    """The cell's robot base in the world: rotation (3, 3) and position (3,) m."""
    robot = env.cell.robot
    rot = Rotation.from_quat(np.asarray(robot.base_quat_xyzw, dtype=np.float64)).as_matrix()
    return rot, np.asarray(robot.base_xyz_m, dtype=np.float64)


def robot_spec(env: WeldCellEnv) -> RobotSpec:
    """The cell's robot as an export `RobotSpec` (joint names, limits, speeds, accelerations)."""
    robot = env.cell.robot
    accel = getattr(robot, "accel_rad_s2", None)
    return RobotSpec(
        name="weldcraft-arc-arm",
        joint_names=tuple(robot.joint_names),
        joint_lower_rad=tuple(float(v) for v in robot.lower_rad),
        joint_upper_rad=tuple(float(v) for v in robot.upper_rad),
        max_joint_speed_rad_s=tuple(float(v) for v in robot.velocity_rad_s),
        max_joint_accel_rad_s2=None if accel is None else tuple(float(v) for v in accel),
        reach_m=1.4,
    )


def tool_pose(env: WeldCellEnv) -> Pose:
    """The TCP (contact tip, z along the wire) in the robot's flange frame, from the cell's kinematics.

    The flange is the link named "flange" (else "link_6"); without one the tool is the identity.
    """
    robot = env.cell.robot
    links = {name: i for i, name in robot.link_names.items()}
    flange = links.get("flange", links.get("link_6"))
    if flange is None:
        return Pose()
    state = pb.getLinkState(
        robot.body_id, flange, computeForwardKinematics=True, physicsClientId=env.client_id
    )
    f_pos = np.asarray(state[4], dtype=np.float64)
    f_rot = Rotation.from_quat(np.asarray(state[5], dtype=np.float64))
    tip, rot = env.cell.tcp_pose()
    rel_pos = f_rot.inv().apply(tip - f_pos)
    rel_rot = f_rot.inv() * Rotation.from_matrix(rot)
    return Pose(tuple(rel_pos.tolist()), tuple(rel_rot.as_quat().tolist()))  # type: ignore[arg-type]


def job_for_program(job: WeldJob, program: WeldProgram) -> WeldJob:
    """`job` with the WPS settings of the program's first weld segment (WFS, voltage, travel speed)."""
    welds = program.weld_segments
    if not welds:
        raise DataError(f"program {program.name!r} has no arc-on section to replay")
    proc = welds[0].process
    assert proc is not None
    for seg in welds[1:]:
        if seg.process != proc:
            log.warning(
                "program %s changes process data between weld segments; replaying the first", program.name
            )
            break
    wps = dataclasses.replace(
        job.wps,
        wire_feed_m_min=proc.wire_feed_m_min,
        voltage_v=proc.voltage_v,
        travel_speed_mm_s=proc.travel_speed_mm_s,
        wire_diameter_mm=proc.wire_diameter_mm,
    )
    return dataclasses.replace(job, wps=wps)


def make_env(job: WeldJob, *, seed: int | None, control_hz: float, max_steps: int) -> WeldCellEnv:
    """A cell for `job`: randomized placement when `seed` is given, else the part exactly as programmed."""
    return WeldCellEnv(
        job,
        control_hz=control_hz,
        randomization={"enabled": seed is not None},
        seam_tracking=False,
        max_episode_steps=max_steps,
    )


class _Target:
    """The program's arc-on motion in the world, interpolated in time."""

    def __init__(self, program: WeldProgram, base_rot: FloatArray, base_pos: FloatArray) -> None:
        dense = densify_program(program, DENSE_DT_S)
        on = np.flatnonzero(dense.arc_on)
        sl = slice(int(on[0]), int(on[-1]) + 1)
        self.t_s = dense.t_s[sl] - dense.t_s[on[0]]
        self.pos_base_m = np.asarray(dense.tcp_pos_m[sl], dtype=np.float64)
        if not np.all(np.isfinite(self.pos_base_m)):
            raise DataError(f"program {program.name!r} has non-finite TCP positions")
        self.pos_world_m = self.pos_base_m @ base_rot.T + base_pos
        wire_base = Rotation.from_quat(dense.tcp_quat_xyzw[sl]).apply([0.0, 0.0, 1.0])
        self.wire_world = wire_base @ base_rot.T
        self.duration_s = float(self.t_s[-1])

    def at(self, t: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(world position, world wire direction, base position) at time t (clamped to the motion)."""
        tt = min(max(t, 0.0), self.duration_s)
        pos = np.array([np.interp(tt, self.t_s, self.pos_world_m[:, k]) for k in range(3)])
        base = np.array([np.interp(tt, self.t_s, self.pos_base_m[:, k]) for k in range(3)])
        w = np.array([np.interp(tt, self.t_s, self.wire_world[:, k]) for k in range(3)])
        return pos, w / float(np.linalg.norm(w)), base


def _aim(env: WeldCellEnv, tip: FloatArray, w: FloatArray, s_guess_m: float) -> Any:
    """Torch state of (tip, w) relative to the programmed seam, at the seam point the wire aims at."""
    seam = env.world.programmed
    s = min(max(s_guess_m, 0.0), env.world.length_m)
    state = None
    for _ in range(3):
        c, frame = seam.point_frame(s)
        state = torch_state(tip, w, c, frame, s, env.section)
        s = min(max(state.s_m, 0.0), env.world.length_m)
    return state


def _action(
    env: WeldCellEnv, state: Any, s_prev_m: float, hold: Any, dt_s: float | None = None
) -> tuple[np.ndarray, bool]:
    """The normalized action commanding `state` (aim s, offsets, angles); True when it had to be clipped.

    The speed channel makes the commanded arc length go from `s_prev_m` to ``state.s_m`` in `dt_s`
    seconds (default one control step; less on the step in which the program ends).
    """
    sc, wps = env.action_scaling, env.wps
    ctwd = state.ctwd_mm if math.isfinite(state.ctwd_mm) else hold.ctwd_mm
    a = np.array(
        [
            state.lateral_offset_mm / sc.lateral_range_mm,
            (ctwd - wps.ctwd_mm) / sc.ctwd_range_mm,
            (state.work_angle_error_deg - env.nominal_work_error_deg) / sc.work_angle_range_deg,
            (state.travel_angle_deg - wps.travel_angle_deg) / sc.travel_angle_range_deg,
            0.0,
        ]
    )
    step_mm = wps.travel_speed_mm_s * (env.dt if dt_s is None else dt_s)
    ratio = (state.s_m - s_prev_m) * 1000.0 / step_mm
    log_max = math.log(sc.speed_ratio_max)
    a[4] = math.log(ratio) / log_max if ratio > 0.0 else -math.inf
    clipped = bool(np.any(np.abs(a[:4]) > 1.0 + 1e-9)) or a[4] > 1.0 + 1e-9
    # too slow for the env's minimum speed counts, except on the last (partial) step at the seam end
    if a[4] < -1.0 - 1e-9 and state.s_m * 1000.0 < env.world.length_m * 1000.0 - step_mm:
        clipped = True
    return np.clip(a, -1.0, 1.0), clipped


class _Trace:
    """Per-step records of one episode (executed TCP in the base frame, joints, the program's targets)."""

    def __init__(self, env: WeldCellEnv) -> None:
        self.env = env
        self.base_rot, self.base_pos = base_pose(env)
        self.t: list[float] = []
        self.s_mm: list[float] = []
        self.q: list[FloatArray] = []
        self.pos: list[FloatArray] = []
        self.rot: list[FloatArray] = []
        self.target: list[FloatArray] = []
        self.last_speed_ratio = 1.0
        self.tool = tool_pose(env)

    def add(self, t: float, s_mm: float, q: FloatArray, target_base: FloatArray | None) -> None:
        tip, rot = self.env.cell.tcp_pose()
        pos_base = self.base_rot.T @ (tip - self.base_pos)
        self.t.append(t)
        self.s_mm.append(s_mm)
        self.q.append(np.asarray(q, dtype=np.float64))
        self.pos.append(pos_base)
        self.rot.append(self.base_rot.T @ rot)
        self.target.append(pos_base if target_base is None else target_base)

    def result(self, info: dict[str, Any], clipped: int, program_end_s_mm: float) -> ReplayResult:
        env = self.env
        n = env.bead.n
        return ReplayResult(
            weld=dict(info["weld"]),
            termination_reason=str(info.get("termination_reason", "time_limit")),
            t_s=np.asarray(self.t[1:]),
            s_mm=np.asarray(self.s_mm[1:]),
            tcp_pos_base_m=np.asarray(self.pos[1:]),
            target_pos_base_m=np.asarray(self.target[1:]),
            clipped_steps=clipped,
            program_end_s_mm=program_end_s_mm,
            bead=env.bead.segments(),
            bead_s_mm=env.bead.s_mm[:n].copy(),
            thickness_mm=float(env.job.joint.thickness_mm),
            design_throat_mm=float(env.process.design_throat_mm),
        )


def replay_program(
    program: WeldProgram, job: WeldJob, *, seed: int | None = None, control_hz: float = 20.0
) -> ReplayResult:
    """Run `program` in a cell welding `job` and grade the weld (module docstring).

    Args:
        program: the program; TCP poses in the robot base frame, the TCP being the contact tip with its
            z axis along the wire (as `record_program` and the exporters write them).
        job: the weld job (the part); its WPS is replaced by the program's process data.
        seed: None = the part exactly as programmed; an int = placement, gap and drift drawn from the job's
            `PlacementErrorSpec` with that seed (the same seed gives the same part).
        control_hz: the cell's control rate.
    """
    job = job_for_program(job, program)
    steps_nominal = default_max_episode_steps(job, control_hz)
    env = make_env(job, seed=seed, control_hz=control_hz, max_steps=steps_nominal)
    try:
        target = _Target(program, *base_pose(env))
        max_steps = max(steps_nominal, int(math.ceil(target.duration_s * control_hz * 1.2)) + 20)
        if max_steps > steps_nominal:
            env.close()
            env = make_env(job, seed=seed, control_hz=control_hz, max_steps=max_steps)
        _, info = env.reset(seed=0 if seed is None else seed)
        trace = _Trace(env)
        trace.add(0.0, 0.0, info["q_rad"], None)
        end_tip, end_w, _ = target.at(target.duration_s)
        end_state = _aim(env, end_tip, end_w, env.world.length_m)
        hold = _aim(env, *target.at(0.0)[:2], 0.0)
        s_prev, clipped, k = 0.0, 0, 0
        while True:
            k += 1
            t = k * env.dt
            tip, w, tgt_base = target.at(t)
            dt_eff = None
            if t <= target.duration_s + 1e-9:
                state = _aim(env, tip, w, hold.s_m)
                if not math.isfinite(state.ctwd_mm):
                    state = dataclasses.replace(state, ctwd_mm=hold.ctwd_mm)
                hold = state
            elif t - env.dt < target.duration_s and end_state.s_m > s_prev:
                # the program ends inside this step: reach its end point at the program's own speed
                state, dt_eff = end_state, target.duration_s - (t - env.dt)
            else:  # past the program's end: hold its last offsets at nominal speed to the seam end
                state = dataclasses.replace(
                    end_state, s_m=s_prev + env.wps.travel_speed_mm_s * env.dt / 1000.0
                )
            action, was_clipped = _action(env, state, s_prev, hold, dt_eff)
            clipped += int(was_clipped and t <= target.duration_s)
            _, _, terminated, truncated, info = env.step(action.astype(np.float32))
            s_prev = float(info["s_mm"]) / 1000.0
            trace.add(t, float(info["s_mm"]), info["q_rad"], tgt_base)
            if terminated or truncated:
                return trace.result(info, clipped, float(end_state.s_m) * 1000.0)
    finally:
        env.close()


def run_actions(
    job: WeldJob,
    actions: ActionFn | None = None,
    *,
    seed: int | None = None,
    control_hz: float = 20.0,
    wrap: Callable[[WeldCellEnv], Any] | None = None,
) -> tuple[ReplayResult, _Trace]:
    """Weld `job` with ``actions(step, obs) -> (5,)`` (default zeros: the nominal straight weld).

    ``wrap`` wraps the env before stepping (e.g. a policy's frame stacking); observations passed to
    `actions` are the wrapper's. Returns the result and the per-step trace (joints and TCP poses).
    """
    env = make_env(
        job, seed=seed, control_hz=control_hz, max_steps=default_max_episode_steps(job, control_hz)
    )
    try:
        stepper: Any = env if wrap is None else wrap(env)
        obs, info = stepper.reset(seed=0 if seed is None else seed)
        trace = _Trace(env)
        trace.add(0.0, 0.0, info["q_rad"], None)
        k = 0
        while True:
            a = np.zeros(5) if actions is None else np.asarray(actions(k, obs), dtype=np.float64)
            a = np.clip(a.astype(np.float32).reshape(-1), -1.0, 1.0)
            trace.last_speed_ratio = env.action_scaling.speed_ratio_max ** float(a[4])
            obs, _, terminated, truncated, info = stepper.step(a)
            k += 1
            trace.add(k * env.dt, float(info["s_mm"]), info["q_rad"], None)
            if terminated or truncated:
                return trace.result(info, 0, float(info["s_mm"])), trace
    finally:
        env.close()


def record_program(
    job: WeldJob,
    *,
    seed: int | None = None,
    actions: ActionFn | None = None,
    control_hz: float = 20.0,
    name: str | None = None,
) -> WeldProgram:
    """Record a cell rollout as a program (robot base frame; one arc-on section from seam start to end).

    Args:
        job: the weld job.
        seed: None = nominal part; an int = randomized part (as in `replay_program`).
        actions: ``actions(step, obs) -> (5,)`` normalized action; default zeros, the nominal straight
            weld at the WPS pose.
        control_hz: control rate; the program has one point per control step plus the start pose.
        name: program name (default: the job's name).

    Raises:
        DataError: the rollout did not complete the seam (collision, lost seam, unreachable, time limit).
    """
    result, trace = run_actions(job, actions, seed=seed, control_hz=control_hz)
    if result.termination_reason != "seam_complete":
        raise DataError(
            f"the rollout on {job.name!r} ended with {result.termination_reason!r}, not seam_complete"
        )
    wps = job.wps
    base_rot, base_pos = trace.base_rot, trace.base_pos
    # The last step stops at the seam end part-way through: stamp its point with the time it got there.
    t = np.asarray(trace.t)
    ds_mm = trace.s_mm[-1] - trace.s_mm[-2]
    full_mm = wps.travel_speed_mm_s * trace.last_speed_ratio * (t[-1] - t[-2])
    t[-1] = t[-2] + (t[-1] - t[-2]) * min(1.0, max(ds_mm / full_mm, 1e-3))
    return WeldProgram.from_samples(
        t,
        np.array(trace.q),
        np.array(trace.pos),
        Rotation.from_matrix(np.array(trace.rot)).as_quat(),
        np.ones(len(trace.t), dtype=bool),
        ProcessData(wps.wire_feed_m_min, wps.voltage_v, wps.travel_speed_mm_s, wps.wire_diameter_mm),
        robot_spec(trace.env),
        name=name or job.name.replace("-", "_").replace(".", "_"),
        tool=trace.tool,
        base_frame=Pose(
            tuple(base_pos.tolist()),  # type: ignore[arg-type]
            tuple(Rotation.from_matrix(base_rot).as_quat().tolist()),  # type: ignore[arg-type]
        ),
        provenance=Provenance(source="weldcraft.regress.record_program", created_utc=""),
    )
