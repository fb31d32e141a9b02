"""Import a recording: resample, map each tick's torch pose to the env's action, replay, grade.

Pipeline (format and semantics in demos/README.md):

1. `read_recording` validates the file (one-line `DataError` with file, line and field).
2. The approach (samples before the first arc-on sample) is dropped; an arc that goes out and comes back
   is refused (the cell welds one continuous bead), an arc that goes out for good ends the weld.
3. `resample` puts the samples on the env's control clock (sample k = the torch after step k).
4. Each tick's pose becomes a `TorchCommand` relative to the true seam: seam-frame poses directly
   (`seam_pose_to_command`), world-frame poses against the true seam as the replaying env realises it
   (placement, drift at that time). The speed is the change of the aimed arc length between ticks.
5. `command_to_action` (privileged reference error of the replaying env) gives the action; the env steps.
   When the recording ends before the seam does, its last command is held to the end of the seam (the
   number of held steps is stored in the metadata as `held_steps`).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.demos.actions import command_to_action
from weldcraft.demos.command import TorchCommand, seam_pose_to_command
from weldcraft.demos.episode import Episode
from weldcraft.demos.recorder import EpisodeRecorder
from weldcraft.demos.recording import PoseFrame, Recording
from weldcraft.demos.recording_io import read_recording
from weldcraft.demos.resample import resample
from weldcraft.demos.rollout import seam_spec
from weldcraft.errors import DataError
from weldcraft.types import FloatArray, PathLikeStr

log = logging.getLogger(__name__)


def _weld_span(rec: Recording) -> tuple[int, int]:
    """[first, last] sample indices of the arc-on span; DataError on none or a re-struck arc."""
    on = np.flatnonzero(rec.arc_on)
    if on.size == 0:
        raise DataError(
            "the arc is never on (arc_on is 0 in every row)", where=f"{rec.source} field 'arc_on'"
        )
    first, last = int(on[0]), int(on[-1])
    gaps = np.flatnonzero(~rec.arc_on[first : last + 1])
    if gaps.size:
        raise DataError(
            f"the arc goes out at t = {rec.t_s[first + gaps[0]]:.3f} s and strikes again; the cell welds one "
            "continuous bead (split the recording)",
            where=f"{rec.source} field 'arc_on'",
        )
    return first, last


def _world_commands(rec: Recording, env: Any) -> tuple[list[TorchCommand], FloatArray]:
    """Commands and aimed arc lengths (mm) of world-frame samples, against the env's true seam."""
    from weldcraft.envs.torch_geometry import torch_state

    e = env.unwrapped
    seam = e.world.true0
    w_all = rec.wire_direction()
    s_guess = 0.0
    states = []
    for k in range(rec.n_samples):
        drift = e.world.drift_at(float(rec.t_s[k]))
        tip, w = rec.pos_m[k], w_all[k]
        state = None
        for _ in range(3):
            c, frame = seam.point_frame(s_guess)
            state = torch_state(tip, w, c + drift, frame, s_guess, e.section)
            s_guess = state.s_m
        assert state is not None
        if not math.isfinite(state.ctwd_mm):
            raise DataError(
                f"at t = {rec.t_s[k]:.3f} s the wire does not meet the joint of the replaying cell",
                where=f"{rec.source} field 'x'",
            )
        states.append(state)
    s_mm = np.array([st.s_m * 1000.0 for st in states])
    cmds = [
        TorchCommand(
            lateral_mm=st.lateral_offset_mm,
            ctwd_mm=st.ctwd_mm,
            work_angle_deg=e.work_angle_base_deg + st.work_angle_error_deg,
            travel_angle_deg=st.travel_angle_deg,
            travel_speed_mm_s=0.0,
        )
        for st in states
    ]
    return cmds, s_mm


def _seam_commands(rec: Recording, env: Any) -> tuple[list[TorchCommand], FloatArray]:
    e = env.unwrapped
    cmds, s_mm = [], []
    for k in range(rec.n_samples):
        try:
            cmd, s = seam_pose_to_command(
                rec.pos_m[k], rec.quat_xyzw[k], 0.0, e.section, e.work_angle_base_deg
            )
        except ValueError:
            raise DataError(
                f"at t = {rec.t_s[k]:.3f} s the wire does not meet the joint", where=f"{rec.source} field 'y'"
            ) from None
        cmds.append(cmd)
        s_mm.append(s)
    return cmds, np.asarray(s_mm)


def recording_commands(rec: Recording, env: Any) -> list[TorchCommand]:
    """Per-tick commands of a recording already on the env's clock: K+1 samples -> K step commands."""
    cmds, s_mm = (_world_commands if rec.frame is PoseFrame.WORLD else _seam_commands)(rec, env)
    dt = float(rec.t_s[1] - rec.t_s[0])
    out = []
    for k in range(1, len(cmds)):
        c = cmds[k]
        speed = (s_mm[k] - s_mm[k - 1]) / dt
        out.append(TorchCommand(c.lateral_mm, c.ctwd_mm, c.work_angle_deg, c.travel_angle_deg, speed))
    return out


def replay_recording(
    rec: Recording,
    env: Any,
    *,
    seed: int | None,
    welder_id: str,
    skill: str = "human",
    style: str = "recorded",
    seam_name: str | None = None,
    options: dict[str, Any] | None = None,
) -> Episode:
    """Replay a validated recording in `env` (reset with `seed`) and return the graded episode."""
    e = env.unwrapped
    first, last = _weld_span(rec)
    span = rec if (first, last) == (0, rec.n_samples - 1) else _slice(rec, first, last)
    try:
        on_clock = resample(span, e.dt)
    except ValueError as exc:
        raise DataError(str(exc), where=f"{rec.source} field 't_s'") from None
    obs, info = env.reset(seed=seed, options=options)
    commands = recording_commands(on_clock, env)  # after the reset: world poses need this part's true seam
    recorder = EpisodeRecorder()
    recorder.start(obs, info)
    held = 0
    k = 0
    while not recorder.done:
        if k < len(commands):
            cmd = commands[k]
        else:
            cmd = commands[-1]
            held += 1
        action = command_to_action(cmd, e.true_seam_state(), env)
        obs, reward, term, trunc, info = env.step(action)
        recorder.add(action, obs, float(reward), bool(term), bool(trunc), info)
        k += 1
    if held:
        log.warning("%s ended %d steps before the seam; its last command was held", rec.source, held)
    return recorder.finish(
        welder_id=welder_id,
        skill=skill,
        style=style,
        seam=seam_name or e.job.name,
        seed=seed,
        source="recording",
        seam_spec=seam_spec(e.job),
        extra={
            "recording": Path(rec.source).name,
            "frame": rec.frame.value,
            "held_steps": held,
            "recorded_steps": len(commands),
            "termination_reason": info.get("termination_reason"),
        },
    )


def import_recording(
    path: PathLikeStr,
    env: Any,
    *,
    seed: int | None = None,
    welder_id: str | None = None,
    skill: str | None = None,
    default_seed: int = 0,
) -> Episode:
    """Read, validate and replay the recording at `path` in `env`.

    The part the recording is replayed on: `seed` if given, else the header's `seed` (the part it was
    recorded on). Without either, a world-frame recording replays on the part at its programmed place
    (what a motion-capture session on a fixtured part measured) and a seam-frame one on the env's draw
    for `default_seed`. welder_id and skill default to the header's, then to the file stem and "human".
    """
    rec = read_recording(path)
    header = rec.header
    job_name = env.unwrapped.job.name
    if header.get("seam") not in (None, job_name):
        raise DataError(
            f"recorded on seam {header['seam']!r} but the cell welds {job_name!r}",
            where=f"{path} field 'seam'",
        )
    use_seed = seed if seed is not None else header.get("seed")
    if use_seed is not None and (isinstance(use_seed, bool) or not isinstance(use_seed, int)):
        raise DataError(f"header seed must be an integer, got {use_seed!r}", where=f"{path} field 'seed'")
    options: dict[str, Any] | None = None
    if use_seed is None and rec.frame is PoseFrame.WORLD:
        from weldcraft.envs.seam_world import nominal_realization

        options = {"realization": nominal_realization(env.unwrapped.job)}
    elif use_seed is None:
        use_seed = default_seed
    return replay_recording(
        rec,
        env,
        seed=use_seed,
        options=options,
        welder_id=str(welder_id or header.get("welder_id") or Path(path).stem),
        skill=str(skill or header.get("skill") or "human"),
        style=str(header.get("style") or "recorded"),
        seam_name=str(header["seam"]) if header.get("seam") else None,
    )


def _slice(rec: Recording, first: int, last: int) -> Recording:
    import dataclasses

    sl = slice(first, last + 1)
    signals: dict[str, Any] = {k: v[sl] for k, v in rec.signals().items()}
    return dataclasses.replace(
        rec,
        t_s=rec.t_s[sl],
        pos_m=rec.pos_m[sl],
        quat_xyzw=rec.quat_xyzw[sl],
        arc_on=rec.arc_on[sl],
        **signals,
    )
