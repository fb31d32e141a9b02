"""Replay a robot program in the welding cell, and record a program from a cell rollout.

``replay_program(program, job, seed=None) -> EpisodeResult`` runs a `WeldProgram` (as
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
and counted in ``EpisodeResult.clipped_steps``. After the program's last arc-on point the replay holds
its last seam-relative offsets at nominal speed until the seam end (the env's weld runs to the end).
The process data of the program's first weld segment replaces the job's WPS settings (WFS, voltage,
travel speed), so a program with other settings is graded with them.

``run_actions(job, actions, ...)`` welds with an action function instead (a policy, the nominal
straight weld). ``record_program(job, ...) -> WeldProgram`` is the inverse of the replay: a rollout
(zero actions = the nominal straight weld, or an action function) recorded as a program in the robot
base frame, ready for any exporter (the export layer's own extraction supersedes it once it lands).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.envs.torch_geometry import torch_state
from weldcraft.envs.weld_cell_env import WeldCellEnv, default_max_episode_steps
from weldcraft.errors import DataError
from weldcraft.export import Pose, ProcessData, Provenance, WeldProgram, densify_program
from weldcraft.regress.episode import EpisodeResult, EpisodeTrace, base_pose, make_env, robot_spec
from weldcraft.seams import WeldJob
from weldcraft.types import FloatArray

log = logging.getLogger(__name__)

#: Resampling step of the program's dense motion (s): well below the 50 ms control step.
DENSE_DT_S = 0.005
ActionFn = Callable[[int, np.ndarray], np.ndarray]


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


def replay_program(
    program: WeldProgram,
    job: WeldJob,
    *,
    seed: int | None = None,
    control_hz: float = 20.0,
    frames_every: int = 0,
) -> EpisodeResult:
    """Run `program` in a cell welding `job` and grade the weld (module docstring).

    Args:
        program: the program; TCP poses in the robot base frame, the TCP being the contact tip with its
            z axis along the wire (as `record_program` and the exporters write them).
        job: the weld job (the part); its WPS is replaced by the program's process data.
        seed: None = the part exactly as programmed; an int = placement, gap and drift drawn from the job's
            `PlacementErrorSpec` with that seed (the same seed gives the same part).
        control_hz: the cell's control rate.
        frames_every: render an RGB frame every this many steps (0: none) into ``EpisodeResult.frames``.
    """
    job = job_for_program(job, program)
    steps_nominal = default_max_episode_steps(job, control_hz)
    render = frames_every > 0
    env = make_env(job, seed=seed, control_hz=control_hz, max_steps=steps_nominal, render=render)
    try:
        target = _Target(program, *base_pose(env))
        max_steps = max(steps_nominal, int(math.ceil(target.duration_s * control_hz * 1.2)) + 20)
        if max_steps > steps_nominal:
            env.close()
            env = make_env(job, seed=seed, control_hz=control_hz, max_steps=max_steps, render=render)
        _, info = env.reset(seed=0 if seed is None else seed)
        trace = EpisodeTrace(env, frames_every)
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
    env_kwargs: Mapping[str, Any] | None = None,
    frames_every: int = 0,
) -> tuple[EpisodeResult, EpisodeTrace]:
    """Weld `job` with ``actions(step, obs) -> (5,)`` (default zeros: the nominal straight weld).

    Args:
        job / seed / control_hz: the part, as in `replay_program`.
        actions: the controller; observations passed to it are `wrap`'s.
        wrap: wraps the env before stepping (e.g. a policy's frame stacking).
        env_kwargs: other `WeldCellEnv` arguments (e.g. a checkpoint's ``seam_tracking=True``, sensor
            config); the default follows the programmed path with the tracker not steering.
        frames_every: render an RGB frame every this many steps (0: none).

    Returns the result and the per-step trace (joints and TCP poses, for `record_program`).
    """
    env = make_env(
        job,
        seed=seed,
        control_hz=control_hz,
        max_steps=default_max_episode_steps(job, control_hz),
        env_kwargs=env_kwargs,
        render=frames_every > 0,
    )
    try:
        stepper = None if wrap is None else wrap(env)
        return roll_env(
            env, actions, stepper=stepper, reset_seed=0 if seed is None else seed, frames_every=frames_every
        )
    finally:
        env.close()


def roll_env(
    env: WeldCellEnv,
    actions: ActionFn | None = None,
    *,
    stepper: Any = None,
    reset_seed: int | None = 0,
    reset_options: dict[str, Any] | None = None,
    frames_every: int = 0,
) -> tuple[EpisodeResult, EpisodeTrace]:
    """Weld one episode in an existing cell `env` with ``actions(step, obs) -> (5,)`` (default zeros).

    `stepper` is what is reset and stepped (a wrapper around `env`, e.g. frame stacking; default `env`);
    `reset_seed` / `reset_options` go to its reset. The caller owns (and closes) `env`.
    Returns the result and the per-step trace (joints and TCP poses, for `program_from_trace`).
    """
    step_env: Any = env if stepper is None else stepper
    obs, info = step_env.reset(seed=reset_seed, options=reset_options)
    trace = EpisodeTrace(env, frames_every)
    trace.add(0.0, 0.0, info["q_rad"], None)
    k = 0
    while True:
        a = np.zeros(5) if actions is None else np.asarray(actions(k, obs), dtype=np.float64)
        a = np.clip(a.astype(np.float32).reshape(-1), -1.0, 1.0)
        trace.last_speed_ratio = env.action_scaling.speed_ratio_max ** float(a[4])
        obs, _, terminated, truncated, info = step_env.step(a)
        k += 1
        trace.add(k * env.dt, float(info["s_mm"]), info["q_rad"], None)
        if terminated or truncated:
            return trace.result(info, 0, float(info["s_mm"])), trace


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
    return program_from_trace(
        trace,
        result,
        name=name or job.name.replace("-", "_").replace(".", "_"),
        provenance=Provenance(source="weldcraft.regress.record_program", created_utc=""),
    )


def program_from_trace(
    trace: EpisodeTrace, result: EpisodeResult, *, name: str, provenance: Provenance | None = None
) -> WeldProgram:
    """A completed rollout's trace as a program: robot base frame, arc on from the seam start to its end.

    Joints and TCP poses of every control step (plus the start pose), the env's WPS as process data, the
    cell robot's limits and its torch TCP as the tool.

    Raises:
        DataError: the rollout did not complete the seam (collision, lost seam, unreachable, time limit).
    """
    if result.termination_reason != "seam_complete":
        raise DataError(
            f"the rollout on {trace.env.job.name!r} ended with {result.termination_reason!r} "
            f"after {len(trace.t) - 1} steps, not seam_complete; there is no complete weld to write"
        )
    wps = trace.env.wps
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
        name=name,
        tool=trace.tool,
        base_frame=Pose(
            tuple(base_pos.tolist()),  # type: ignore[arg-type]
            tuple(Rotation.from_matrix(base_rot).as_quat().tolist()),  # type: ignore[arg-type]
        ),
        provenance=provenance or Provenance(source="rollout", created_utc=""),
    )
