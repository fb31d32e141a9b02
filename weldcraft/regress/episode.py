"""One weld in the cell, recorded: the env factory, the per-step trace and its result (`EpisodeResult`).

Shared by the program replay, the action rollouts (`weldcraft.regress.replay`) and the run report: the
result carries the grade (``info["weld"]``), the executed TCP path in the robot base frame, the bead
segments, the torch state relative to the TRUE seam at each bead segment (CONTRACTS.md conventions; the
privileged ``WeldCellEnv.true_seam_state``), and optionally rendered frames for a GIF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pybullet as pb
from scipy.spatial.transform import Rotation

from weldcraft.envs.weld_cell_env import WeldCellEnv
from weldcraft.errors import ConfigError
from weldcraft.export import Pose, RobotSpec
from weldcraft.fileio import atomic_path
from weldcraft.process import BeadSegments
from weldcraft.seams import WeldJob
from weldcraft.types import FloatArray, PathLikeStr

#: Torch-state fields recorded per bead segment (``EpisodeResult.torch``).
TORCH_FIELDS = ("ctwd_mm", "travel_angle_deg", "work_angle_error_deg", "lateral_offset_mm")


@dataclass(frozen=True, eq=False)
class EpisodeResult:
    """What the cell did in one weld (arrays over the K control steps, or the M bead segments).

    Attributes:
        weld: ``info["weld"]`` of the episode's last step (DESIGN §9, plus ``dominant_code`` etc.).
        termination_reason: "seam_complete", "collision", "lost_seam", "unreachable" or "time_limit".
        t_s: (K,) time since arc-on.
        s_mm: (K,) commanded arc length along the seam.
        tcp_pos_base_m: (K, 3) executed TCP positions in the robot base frame.
        target_pos_base_m: (K, 3) the program's TCP positions at the same times (base frame; the executed
            ones for rollouts without a program).
        clipped_steps: steps whose command was outside the env's action range (replays).
        program_end_s_mm: arc length aimed at by the program's last arc-on point (rollouts: the last s).
        bead: the recorded bead segments (``BeadSegments``) and their centres ``bead_s_mm`` (M,).
        torch: (M,) arrays per `TORCH_FIELDS`: the torch relative to the true seam at each bead segment.
        work_angle_base_deg: absolute work angle = base + error (fillet: opening / 2; butt: 90).
        dt_s: control period.
        thickness_mm / design_throat_mm: the joint's t and the design throat a of the ISO 5817 limits.
        frames: rendered RGB frames (H, W, 3) uint8, when asked for.
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
    torch: Mapping[str, FloatArray] = field(default_factory=dict)
    work_angle_base_deg: float = 45.0
    dt_s: float = 0.05
    frames: tuple[np.ndarray, ...] = ()

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

    @property
    def travel_speed_mm_s(self) -> FloatArray:
        """(M,) travel speed along the true seam at each bead segment (segment spacing / control period).

        A completed weld's last step stops at the seam end part-way through: it keeps the speed before it.
        """
        s = self.bead_s_mm
        if s.size < 3:
            return np.full(s.size, np.nan)
        v = np.diff(s) / self.dt_s
        v = np.concatenate(([v[0]], v))
        if self.termination_reason == "seam_complete":
            v[-1] = v[-2]
        return v


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


#: Env arguments a case or rollout may not override (the job, its randomization and the time limit are
#: set from the case; render mode from `frames_every`).
_FIXED_KWARGS = ("job", "randomization", "max_episode_steps", "render_mode")


def make_env(
    job: WeldJob,
    *,
    seed: int | None,
    control_hz: float,
    max_steps: int,
    env_kwargs: Mapping[str, Any] | None = None,
    render: bool = False,
) -> WeldCellEnv:
    """A cell for `job`: randomized placement when `seed` is given, else the part exactly as programmed.

    Default: the seam tracker does not steer (``seam_tracking=False``), as a fixed program runs;
    `env_kwargs` (e.g. a policy checkpoint's) override the other `WeldCellEnv` arguments.
    """
    kwargs: dict[str, Any] = {"seam_tracking": False, "control_hz": control_hz}
    for key, value in (env_kwargs or {}).items():
        if key not in _FIXED_KWARGS:
            kwargs[key] = value
    try:
        return WeldCellEnv(
            job,
            randomization={"enabled": seed is not None},
            max_episode_steps=max_steps,
            render_mode="rgb_array" if render else None,
            **kwargs,
        )
    except TypeError as exc:
        raise ConfigError(f"WeldCellEnv does not take these arguments: {exc}", where="env_kwargs") from None


class EpisodeTrace:
    """Per-step records of one episode; call `add` after reset and after every step."""

    def __init__(self, env: WeldCellEnv, frames_every: int = 0) -> None:
        self.env = env
        self.base_rot, self.base_pos = base_pose(env)
        self.t: list[float] = []
        self.s_mm: list[float] = []
        self.q: list[FloatArray] = []
        self.pos: list[FloatArray] = []
        self.rot: list[FloatArray] = []
        self.target: list[FloatArray] = []
        self.torch: dict[str, list[float]] = {k: [] for k in TORCH_FIELDS}
        self.frames: list[np.ndarray] = []
        self.frames_every = int(frames_every)
        self.last_speed_ratio = 1.0
        self.tool = tool_pose(env)
        self._bead_n = 0

    def add(self, t: float, s_mm: float, q: FloatArray, target_base: FloatArray | None) -> None:
        env = self.env
        tip, rot = env.cell.tcp_pose()
        pos_base = self.base_rot.T @ (tip - self.base_pos)
        self.t.append(t)
        self.s_mm.append(s_mm)
        self.q.append(np.asarray(q, dtype=np.float64))
        self.pos.append(pos_base)
        self.rot.append(self.base_rot.T @ rot)
        self.target.append(pos_base if target_base is None else target_base)
        if env.bead.n > self._bead_n:  # a bead segment was laid in this step: record the torch with it
            self._bead_n = env.bead.n
            state = env.true_seam_state().torch
            for key in TORCH_FIELDS:
                self.torch[key].append(float(getattr(state, key)))
        if self.frames_every and (len(self.t) - 1) % self.frames_every == 0:
            frame = env.render()
            if frame is not None:
                self.frames.append(np.asarray(frame, dtype=np.uint8))

    def result(self, info: dict[str, Any], clipped: int, program_end_s_mm: float) -> EpisodeResult:
        env = self.env
        n = env.bead.n
        if self.frames_every and (len(self.t) - 1) % self.frames_every != 0:
            frame = env.render()  # always end on the finished bead
            if frame is not None:
                self.frames.append(np.asarray(frame, dtype=np.uint8))
        return EpisodeResult(
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
            torch={k: np.asarray(v[:n]) for k, v in self.torch.items()},
            work_angle_base_deg=float(env.work_angle_base_deg),
            dt_s=float(env.dt),
            frames=tuple(self.frames),
        )


def write_gif(frames: Sequence[np.ndarray], path: PathLikeStr, fps: float = 10.0) -> Path:
    """Write RGB frames (H, W, 3) uint8 as a looping GIF, atomically; returns the path."""
    import imageio.v3 as iio

    if not frames:
        raise ValueError("write_gif needs at least one frame")
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, np.stack(frames), extension=".gif", duration=1000.0 / fps, loop=0)
    return Path(path)
