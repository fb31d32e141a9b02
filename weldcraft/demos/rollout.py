"""Run Craftsman episodes in an env: the episode for the dataset plus the torch trajectory.

`craftsman_episode` welds one seam and returns a `Demonstration`: the `Episode` (observations, actions,
rewards, metadata from the weld grade) and a `Trajectory` of what the torch did relative to the true seam
(the effective commands, the aimed arc length, the achieved lateral offsets). The trajectory becomes a
recording (`trajectory_to_recording`, seam frame) and feeds the weave measurement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.demos.command import TorchCommand, command_to_seam_pose
from weldcraft.demos.craftsman.policy import Craftsman
from weldcraft.demos.episode import Episode
from weldcraft.demos.recorder import EpisodeRecorder
from weldcraft.demos.recording import PoseFrame, Recording
from weldcraft.types import FloatArray


@dataclass(frozen=True)
class Trajectory:
    """The torch over one episode relative to the true seam.

    Attributes:
        dt_s: control period.
        commands: K+1 effective commands: the start pose after reset, then the one of each step.
        s_aim_mm: (K+1,) arc length the torch aimed at (the integral of the commanded speed).
        lateral_true_mm: (K,) achieved lateral offset of the wire from the true seam after each step.
    """

    dt_s: float
    commands: tuple[TorchCommand, ...]
    s_aim_mm: FloatArray
    lateral_true_mm: FloatArray


@dataclass(frozen=True)
class Demonstration:
    """An episode and its trajectory."""

    episode: Episode
    trajectory: Trajectory


def seam_spec(job: Any) -> dict[str, Any]:
    """JSON summary of a WeldJob for the episode metadata."""
    return {
        "name": job.name,
        "joint": job.joint.kind.value,
        "thickness_mm": job.joint.thickness_mm,
        "position": job.position.value,
        "length_mm": round(float(job.length_mm), 6),
        "config_hash": job.config_hash(),
    }


def craftsman_episode(
    env: Any, craftsman: Craftsman, seed: int, *, seam_name: str | None = None
) -> Demonstration:
    """Weld one seam (env reset with `seed`) with `craftsman`; returns the episode and its trajectory."""
    from weldcraft.demos.actions import action_to_command

    e = env.unwrapped
    obs, info = env.reset(seed=seed)
    rec = EpisodeRecorder()
    rec.start(obs, info)
    craftsman.begin(env)
    truth = e.true_seam_state()
    commands = [action_to_command(np.zeros(5), truth, env)]
    s_aim = [0.0]
    lateral: list[float] = []
    done = False
    while not done:
        action = craftsman.act(env, truth)
        obs, reward, term, trunc, info = env.step(action)
        rec.add(action, obs, float(reward), bool(term), bool(trunc), info)
        cmd = craftsman.last_command
        assert cmd is not None
        commands.append(cmd)
        s_aim.append(s_aim[-1] + cmd.travel_speed_mm_s * e.dt)
        truth = e.true_seam_state()  # after the step: the achieved torch, and the truth for the next action
        lateral.append(float(truth.torch.lateral_offset_mm))
        done = bool(term or trunc)
    job = e.job
    episode = rec.finish(
        welder_id=craftsman.welder_id,
        skill=craftsman.skill_name,
        style=craftsman.style_name,
        seam=seam_name or job.name,
        seed=seed,
        source="craftsman",
        seam_spec=seam_spec(job),
        extra={**craftsman.metadata(), "termination_reason": info.get("termination_reason")},
    )
    traj = Trajectory(e.dt, tuple(commands), np.asarray(s_aim), np.asarray(lateral))
    return Demonstration(episode, traj)


def trajectory_to_recording(traj: Trajectory, env: Any, header: dict[str, Any] | None = None) -> Recording:
    """The trajectory as a seam-frame `Recording` (arc on throughout; WPS voltage and wire feed)."""
    e = env.unwrapped
    poses = [
        command_to_seam_pose(c, s, e.section, e.work_angle_base_deg)
        for c, s in zip(traj.commands, traj.s_aim_mm, strict=True)
    ]
    n = len(poses)
    return Recording(
        t_s=np.arange(n, dtype=np.float64) * traj.dt_s,
        pos_m=np.stack([p for p, _ in poses]),
        quat_xyzw=np.stack([q for _, q in poses]),
        arc_on=np.ones(n, dtype=np.bool_),
        frame=PoseFrame.SEAM,
        voltage_v=np.full(n, e.wps.voltage_v),
        wire_feed_m_min=np.full(n, e.wps.wire_feed_m_min),
        header=dict(header or {}),
    )


def reached_torch_recording(env: Any, craftsman: Craftsman, seed: int) -> tuple[Recording, dict[str, Any]]:
    """Weld one seam with `craftsman` and record the torch the robot reached after every step.

    World frame (what a motion tracker on the torch sees: forward kinematics of the joints), arc on
    throughout, the WPS voltage and wire feed. Returns the recording and the weld outcome `info["weld"]`.
    """
    e = env.unwrapped
    env.reset(seed=seed)
    craftsman.begin(env)
    tips: list[FloatArray] = []
    quats: list[FloatArray] = []

    def grab() -> None:
        tip, rot = e.cell.tcp_pose()
        tips.append(np.asarray(tip, dtype=np.float64))
        quats.append(np.asarray(Rotation.from_matrix(rot).as_quat(), dtype=np.float64))

    grab()
    done = False
    info: dict[str, Any] = {}
    while not done:
        _, _, term, trunc, info = env.step(craftsman.act(env))
        grab()
        done = bool(term or trunc)
    n = len(tips)
    header = {
        "seam": e.job.name,
        "seed": seed,
        "welder_id": craftsman.welder_id,
        "skill": craftsman.skill_name,
        "style": craftsman.style_name,
    }
    rec = Recording(
        t_s=np.arange(n, dtype=np.float64) * e.dt,
        pos_m=np.stack(tips),
        quat_xyzw=np.stack(quats),
        arc_on=np.ones(n, dtype=np.bool_),
        frame=PoseFrame.WORLD,
        voltage_v=np.full(n, e.wps.voltage_v),
        wire_feed_m_min=np.full(n, e.wps.wire_feed_m_min),
        header=header,
    )
    return rec, dict(info["weld"])
