"""`WeldCellEnv`: a robotic arc-welding cell on pybullet as a Gymnasium environment (DESIGN section 3).

One step (20 Hz by default) = the normalized action -> a torch command in the seam frame around the
tracked seam -> IK from the current joints (limits respected, else termination "unreachable") -> the
joint motion limiter (speed/acceleration) -> forward kinematics of the reached joints -> collision
query -> the torch state relative to the TRUE seam (privileged; drives the process model) and to the
PERCEIVED seam (the observation) -> one process-model segment (bead, imperfections, quality) -> the
laser tracker's scan ahead (buffered by distance, used when the torch gets there).

Spaces, reward terms, termination reasons and info keys are documented in docs/envs.md; the
observation layout is `weldcraft.envs.observation.OBS_LAYOUT`, the action scaling
`weldcraft.envs.config.ActionScaling`.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
import numpy.typing as npt
import pybullet as pb

from weldcraft.envs.bead import BeadRecorder, WeaveWindow, weave_window_steps
from weldcraft.envs.cell_setup import CellHandle, make_cell
from weldcraft.envs.config import ActionScaling, RandomizationConfig, RewardWeights, SensorConfig
from weldcraft.envs.observation import N_ACTIONS, OBS_CLIP, OBS_INDEX, OBS_INV_SCALE, OBS_SIZE
from weldcraft.envs.robot.config import CELL_CONFIG_DIR, load_cell_config
from weldcraft.envs.seam_buffer import SeamCorrectionBuffer
from weldcraft.envs.seam_world import SeamWorld, nominal_realization, scaled_job
from weldcraft.envs.torch_geometry import (
    JointSection,
    TorchState,
    commanded_tip_m,
    roll_matrix,
    tool_rotation,
    torch_state,
    wire_direction_seam,
)
from weldcraft.envs.torch_roll import choose_torch_roll
from weldcraft.envs.tracker import INVALID_READING, LaserSeamTracker, TrackerReading
from weldcraft.envs.true_state import TrueSeamState
from weldcraft.errors import ConfigError, UserError
from weldcraft.process import BeadSample, ProcessModel
from weldcraft.seams import JointKind, SeamRealization, WeldJob, load_job
from weldcraft.seams.config import presets_dir
from weldcraft.types import FloatArray

logger = logging.getLogger(__name__)
Float32Array = npt.NDArray[np.float32]

TERMINATION_REASONS = ("seam_complete", "collision", "lost_seam", "unreachable")
_PRESCAN_SPACING_MM = 2.0
_MIN_SPEED_RATIO = 0.05  # process-model speed floor when the torch stalls or backs up
_DRIFT_UPDATE_MM = 0.02  # move the part body when the drift changed by this much


class _Pending(NamedTuple):
    """A scan waiting for the sensor latency: its seam correction and the raw reading."""

    ready_step: int
    s_m: float
    lateral_mm: float
    normal_mm: float
    gap_mm: float
    raw: TrackerReading


_CONFIG_CACHE: dict[tuple[str, str, int], Any] = {}


def _cached_load(kind: str, name_or_path: str) -> Any:
    """`load_job` / `load_cell_config` with a per-process cache keyed by the file and its mtime.

    Parsing the YAML (pure-Python PyYAML) was 40 % of making an env; the records are frozen, so envs
    made from the same unchanged file share one.
    """
    if kind == "job":
        path = Path(name_or_path)
        if not (path.suffix in (".yaml", ".yml") or path.exists()):
            path = presets_dir() / f"{name_or_path}.yaml"
    else:
        path = Path(name_or_path)
        if not path.exists():
            path = CELL_CONFIG_DIR / f"{name_or_path}.yaml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # unknown name: let the loader raise its own error
    key = (kind, str(name_or_path), stamp)
    if key not in _CONFIG_CACHE:
        _CONFIG_CACHE[key] = load_job(name_or_path) if kind == "job" else load_cell_config(name_or_path)
    return _CONFIG_CACHE[key]


def default_max_episode_steps(job: WeldJob, control_hz: float = 20.0, margin: float = 1.5) -> int:
    """Steps to weld the seam at the WPS speed, times `margin`, plus 10 (the registered time limits)."""
    steps = job.length_mm / job.wps.travel_speed_mm_s * control_hz
    return int(math.ceil(steps * margin)) + 10


class WeldCellEnv(gym.Env[Float32Array, Float32Array]):
    """A welding cell configured by a WeldJob; see the module docstring and docs/envs.md.

    Args:
        job: a preset name (`weldcraft.seams.preset_names()`), a YAML path, or a `WeldJob`.
        control_hz: control rate (steps per second).
        sensor, randomization, action_scaling, reward_weights: the config records of
            `weldcraft.envs.config` or mappings of their fields.
        seam_tracking: True = the robot follows the seam tracker (commands are relative to the tracked
            seam); False = it follows the programmed path (the tracker still reports).
        cell: a cell config name/path (`weldcraft.envs.robot.load_cell_config`) or a `CellConfig`.
        max_episode_steps: episode length limit (default from the seam length, see
            `default_max_episode_steps`; a registered id's limit takes precedence).
        lost_seam_mm: |lateral offset| of the wire from the true seam beyond which the arc has left the
            joint (termination "lost_seam").
        min_ctwd_mm, max_ctwd_mm: contact-tip-to-work window outside which the tip touches the pool
            ("collision") or the arc goes out ("lost_seam").
        weave_window_s: history of lateral offsets the weld pool integrates (`WeaveWindow`).
        render_mode: None, "rgb_array" (TinyRenderer, headless) or "human" (pybullet GUI).
        render_width, render_height: rgb_array image size in pixels.
    """

    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 20}

    def __init__(
        self,
        job: str | WeldJob = "fillet_pb",
        *,
        control_hz: float = 20.0,
        sensor: SensorConfig | Mapping[str, Any] | None = None,
        randomization: RandomizationConfig | Mapping[str, Any] | None = None,
        action_scaling: ActionScaling | Mapping[str, Any] | None = None,
        reward_weights: RewardWeights | Mapping[str, Any] | None = None,
        seam_tracking: bool = True,
        cell: Any = "default",
        max_episode_steps: int | None = None,
        lost_seam_mm: float = 8.0,
        min_ctwd_mm: float = 3.0,
        max_ctwd_mm: float = 35.0,
        weave_window_s: float = 1.0,
        render_mode: str | None = None,
        render_width: int = 320,
        render_height: int = 240,
    ) -> None:
        super().__init__()
        self.job = job if isinstance(job, WeldJob) else _cached_load("job", str(job))
        if not (isinstance(control_hz, (int, float)) and 1.0 <= control_hz <= 1000.0):
            raise ConfigError(f"control_hz must be in [1, 1000], got {control_hz!r}", where="control_hz")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}",
                where="render_mode",
            )
        self.control_hz = float(control_hz)
        self.dt = 1.0 / self.control_hz
        self.sensor_config = SensorConfig.from_mapping(sensor, "sensor")
        self.randomization = RandomizationConfig.from_mapping(randomization, "randomization")
        self.action_scaling = ActionScaling.from_mapping(action_scaling, "action_scaling")
        self.reward_weights = RewardWeights.from_mapping(reward_weights, "reward_weights")
        self.seam_tracking = bool(seam_tracking)
        self.lost_seam_mm = float(lost_seam_mm)
        self.min_ctwd_mm = float(min_ctwd_mm)
        self.max_ctwd_mm = float(max_ctwd_mm)
        self.render_mode = render_mode
        self.render_width = int(render_width)
        self.render_height = int(render_height)
        self._max_steps = int(max_episode_steps or default_max_episode_steps(self.job, self.control_hz))
        self._length_mm = self.job.length_mm

        wps, joint = self.job.wps, self.job.joint
        self.wps = wps
        self.process = ProcessModel(wps, joint, self.job.position)
        self.section = JointSection.for_joint(joint)
        base = joint.opening_angle_deg / 2.0 if joint.kind.is_fillet_like else 90.0
        self.work_angle_base_deg = base
        self.nominal_work_error_deg = wps.work_angle_deg - base
        ta = math.radians(wps.travel_angle_deg)
        d_f = self.sensor_config.lookahead_mm
        # Sensor mount in the tool frame: where the nominal torch's laser line meets the seam d_f ahead.
        self._lookahead_tool_m = (
            np.array([d_f * math.cos(ta), 0.0, wps.ctwd_mm + d_f * math.sin(ta)]) / 1000.0
        )
        self._sampling_job = scaled_job(self.job, self.randomization.scale)
        # an IK solution farther than this from the current joints is another branch: not a weld motion
        self._max_joint_step_rad = 1.0

        # -- simulator ------------------------------------------------------------------------------------
        self.client_id = pb.connect(pb.GUI if render_mode == "human" else pb.DIRECT)
        self._closed = False
        try:
            if isinstance(cell, str):
                cell = _cached_load("cell", cell)
            self.cell: CellHandle = make_cell(
                self.client_id, cell, self.job, with_visuals=render_mode is not None
            )
        except Exception:
            pb.disconnect(self.client_id)
            self._closed = True
            raise
        robot = self.cell.robot
        self.limiter = self.cell.limiter
        self.n_joints = robot.n_joints
        self._q_lo, self._q_hi = robot.lower_rad.copy(), robot.upper_rad.copy()
        self._q_mid = 0.5 * (self._q_lo + self._q_hi)
        self._q_half = 0.5 * (self._q_hi - self._q_lo)
        self._qd_max = robot.velocity_rad_s.copy()
        self.world = SeamWorld(self.job, self.cell.world_rot_work, self.cell.world_pos_work_m)
        root_depth = joint.thickness_mm - joint.root_face_mm if joint.kind is JointKind.SINGLE_V_BUTT else 0.0
        self.tracker = LaserSeamTracker(self.sensor_config, joint.kind, root_depth, self.cell.part_boxes)
        self.buffer = SeamCorrectionBuffer(gate_mm=self.sensor_config.gate_mm)
        self._latency_steps = int(math.ceil(self.sensor_config.latency_s * self.control_hz - 1e-9))
        self._pending: deque[_Pending] = deque()
        self.bead = BeadRecorder(self._max_steps)
        self.weave = WeaveWindow(weave_window_steps(weave_window_s, self.control_hz))
        # torch roll about the wire: chosen once per job (body leaning back towards the robot)
        self._w_nominal = wire_direction_seam(wps.travel_angle_deg, self.nominal_work_error_deg)
        self.world.set_realization(nominal_realization(self.job))
        self._place_part()
        sc = self.action_scaling
        tilts = [
            wire_direction_seam(wps.travel_angle_deg + dt, self.nominal_work_error_deg + dw)
            for dt, dw in (
                (0.0, sc.work_angle_range_deg),
                (0.0, -sc.work_angle_range_deg),
                (sc.travel_angle_range_deg, 0.0),
                (-sc.travel_angle_range_deg, 0.0),
            )
        ]
        self.torch_roll_rad = choose_torch_roll(
            self.cell,
            self.world.programmed,
            self._w_nominal,
            self.section,
            wps.ctwd_mm,
            tilts,
            (self.job.config_hash(), repr(self.cell.cell.config), sc),
        )
        # the sensor frame is the zero-roll tool frame: its y axis runs across the seam
        self._sensor_from_tool = roll_matrix(self.torch_roll_rad).T

        # -- spaces ---------------------------------------------------------------------------------------
        self.action_space = gym.spaces.Box(-1.0, 1.0, (N_ACTIONS,), np.float32)
        self.observation_space = gym.spaces.Box(-OBS_CLIP, OBS_CLIP, (OBS_SIZE,), np.float32)
        self._obs = np.zeros(OBS_SIZE)
        self._renderer: Any = None

        # -- episode state (set by reset) -----------------------------------------------------------------
        self._needs_reset = True
        self._q = robot.home_q_rad.copy()
        self._qd = np.zeros(self.n_joints)
        self._prev_action = np.zeros(N_ACTIONS)
        self._step = 0
        self._s_cmd_m = 0.0
        self._s_true_m = 0.0
        self._last_reading: TrackerReading = INVALID_READING
        self._last_sample: BeadSample | None = None
        self._perceived: TorchState | None = None
        self._true: TorchState | None = None
        self._corr = (0.0, 0.0, 0.0)
        self._corr_gap_mm = 0.0
        self._true_frame = np.eye(3)
        self._speed_ratio = 1.0
        self._weave_width_mm = 0.0
        self._drift_applied_m = np.zeros(3)

    # ------------------------------------------------------------------------------------------------------
    # Gymnasium API
    # ------------------------------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Float32Array, dict[str, Any]]:
        """Start a weld on a new part.

        Options:
            realization: a `weldcraft.seams.SeamRealization` to weld instead of a random one (tests,
                evaluation on fixed parts, replaying a recording).
        """
        super().reset(seed=seed)
        if self._closed:
            raise UserError("reset() on a closed WeldCellEnv")
        if (
            self.spec is not None
            and self.spec.max_episode_steps
            and self.spec.max_episode_steps > self._max_steps
        ):
            self._max_steps = int(self.spec.max_episode_steps)
            self.bead = BeadRecorder(self._max_steps)
        realization = (options or {}).get("realization")
        if realization is None:
            realization = self._sample_realization()
        elif not isinstance(realization, SeamRealization):
            raise UserError(
                f"options['realization'] must be a SeamRealization, got {type(realization).__name__}"
            )
        self.world.set_realization(realization)
        self._drift_applied_m = np.zeros(3)
        self._place_part()
        self._step = 0
        self._s_cmd_m = 0.0
        self.buffer.reset()
        self._pending.clear()
        self.tracker.reset()
        self.bead.reset()
        self.weave.reset()
        self._last_reading = INVALID_READING
        self._last_sample = None
        self._prev_action = np.zeros(N_ACTIONS)
        self._speed_ratio = 1.0
        self._weave_width_mm = 0.0
        self._prescan()
        q_start = self._start_pose()
        self._q = q_start
        self._qd = np.zeros(self.n_joints)
        self.cell.robot.set_q(q_start)
        tip, rot = self._tcp()
        self._true = self._true_state(tip, rot[:, 2], 0.0, iterations=3)
        self._s_true_m = self._true.s_m
        self._perceived = self._perceived_state(tip, rot[:, 2])
        self._needs_reset = False
        self._fill_obs()
        return self._obs.astype(np.float32), {"q_rad": self._q.copy(), "s_mm": 0.0}

    def step(self, action: Float32Array) -> tuple[Float32Array, float, bool, bool, dict[str, Any]]:
        if self._needs_reset:
            raise UserError("step() before reset() (or after the episode ended without a reset)")
        # np.minimum(np.maximum()) is np.clip's arithmetic without its Python-level dispatch
        a = np.minimum(np.maximum(np.asarray(action, dtype=np.float64).reshape(N_ACTIONS), -1.0), 1.0)
        a0, a1, a2, a3, a4 = a.tolist()
        sc = self.action_scaling
        wps = self.wps
        self._step += 1
        t_s = self._step * self.dt
        lateral_cmd = a0 * sc.lateral_range_mm
        ctwd_cmd = wps.ctwd_mm + a1 * sc.ctwd_range_mm
        work_err_cmd = self.nominal_work_error_deg + a2 * sc.work_angle_range_deg
        travel_cmd = wps.travel_angle_deg + a3 * sc.travel_angle_range_deg
        speed_ratio = sc.speed_ratio_max**a4
        s_prev_cmd = self._s_cmd_m
        full_m = wps.travel_speed_mm_s * speed_ratio * self.dt / 1000.0
        self._s_cmd_m = min(s_prev_cmd + full_m, self.world.length_m)
        # the last step ends at the seam end: the arc burns for that fraction of the step only
        arc_time_s = self.dt * max((self._s_cmd_m - s_prev_cmd) / full_m, 1e-3)
        self._speed_ratio = speed_ratio
        self._update_drift(t_s)

        info: dict[str, Any] = {}
        reason: str | None = None
        # 1. command -> IK -> limiter -> FK
        c_ref, frame_ref = self._reference(self._s_cmd_m)
        w_seam = wire_direction_seam(travel_cmd, work_err_cmd)
        tip_cmd = commanded_tip_m(c_ref, frame_ref, w_seam, lateral_cmd, ctwd_cmd, self.section)
        rot_cmd = tool_rotation(frame_ref, w_seam, self.torch_roll_rad)
        ik = self.cell.solve_ik(tip_cmd, rot_cmd, self._q, self._max_joint_step_rad)
        sample: BeadSample | None = None
        if not ik.ok:
            reason = "unreachable"
            info["ik_reason"] = ik.reason
        else:
            q_next, qd_next, _ = self.limiter.step(self._q, self._qd, ik.q, self.dt)
            self._q, self._qd = q_next, qd_next
            self.cell.robot.set_q(q_next)
            tip, rot = self._tcp()
            collisions = self.cell.collisions()
            if collisions:
                reason = "collision"
                info["collisions"] = [(c.link_name, c.body_name) for c in collisions]
            # 2. torch relative to the true seam (process) and to the perceived seam (observation)
            s_guess = (self._true.s_m if self._true is not None else 0.0) + (self._s_cmd_m - s_prev_cmd)
            true = self._true_state(tip, rot[:, 2], s_guess)
            self._perceived = torch_state(tip, rot[:, 2], c_ref, frame_ref, self._s_cmd_m, self.section)
            ds_mm = (true.s_m - self._s_true_m) * 1000.0
            s_start_mm = self._s_true_m * 1000.0
            self._true = true
            self._s_true_m = max(self._s_true_m, true.s_m)
            mean_lat, width, dwell, speed = self.weave.push(true.lateral_offset_mm, ds_mm, arc_time_s)
            self._weave_width_mm = width
            arc_on = math.isfinite(true.ctwd_mm) and true.ctwd_mm <= self.max_ctwd_mm
            if arc_on and reason is None:
                speed = max(speed, _MIN_SPEED_RATIO * wps.travel_speed_mm_s)
                gap = self.world.gap_mm(true.s_m)
                sample = self.process.evaluate_one(
                    speed,
                    max(true.ctwd_mm, 0.5),
                    true.travel_angle_deg,
                    true.work_angle_error_deg,
                    mean_lat,
                    width,
                    dwell,
                    gap,
                )
                aim = tip + rot[:, 2] * (true.ctwd_mm / 1000.0)
                self.bead.record(sample, s_start_mm, true.s_m * 1000.0, aim, self._true_frame)
                self._last_sample = sample
            if reason is None:
                if not arc_on or abs(true.lateral_offset_mm) > self.lost_seam_mm:
                    reason = "lost_seam"
                elif true.ctwd_mm < self.min_ctwd_mm:
                    reason = "collision"
                    info["collisions"] = [("contact_tip", "part")]
                elif self.seam_tracking and self._corr_blind_mm > self.sensor_config.max_blind_mm:
                    reason = "lost_seam"
            # 3. the tracker looks ahead
            if self._step % self.sensor_config.scan_every_steps == 0:
                self._scan(tip, rot)
        self._release_readings()
        if reason is None and self._s_cmd_m >= self.world.length_m - 1e-9:
            reason = "seam_complete"
        terminated = reason is not None
        truncated = not terminated and self._step >= self._max_steps

        # reward
        w = self.reward_weights
        length_mm = self._length_mm
        seg_mm = float(self.bead.length_mm[self.bead.n - 1]) if sample is not None else 0.0
        terms = {
            "quality": (sample.quality * seg_mm / length_mm) if sample is not None else 0.0,
            "progress": seg_mm / length_mm,
            "completion": 0.0,
            "failure": 0.0,
            "action_rate": -float(np.sum((a - self._prev_action) ** 2)),
        }
        if terminated or truncated:
            weld = self._weld_outcome(reason == "seam_complete")
            info["weld"] = weld
            if reason == "seam_complete":
                terms["completion"] = float(weld["quality_score"])
            elif terminated:
                terms["failure"] = -1.0
            info["termination_reason"] = reason if terminated else "time_limit"
            self._needs_reset = True
        reward = (
            w.quality * terms["quality"]
            + w.progress * terms["progress"]
            + w.completion * terms["completion"]
            + w.failure * terms["failure"]
            + w.action_rate * terms["action_rate"]
        )
        self._prev_action = a
        self._fill_obs()
        info["q_rad"] = self._q.copy()
        info["s_mm"] = self._s_cmd_m * 1000.0
        # privileged, for evaluation metrics (seam tracking, weave) only: never in the observation
        info["lateral_offset_true_mm"] = self._true.lateral_offset_mm if self._true is not None else math.nan
        info["reward_terms"] = terms
        if sample is not None:
            info["segment_level"] = sample.level
        if self.render_mode == "human":
            self.render()  # Gymnasium convention: the GUI follows every step
        return self._obs.astype(np.float32), float(reward), terminated, truncated, info

    def render(self) -> npt.NDArray[np.uint8] | None:  # type: ignore[override]
        if self.render_mode is None:
            gym.logger.warn("render() without a render_mode; pass render_mode='rgb_array' to the env")
            return None
        from weldcraft.envs.render import CellRenderer

        if self._renderer is None:
            self._renderer = CellRenderer(self)
        return self._renderer.render()

    def close(self) -> None:
        """Disconnect the env's pybullet client (idempotent)."""
        if not self._closed:
            self._closed = True
            if self._renderer is not None:
                self._renderer = None
            pb.disconnect(self.client_id)

    # ------------------------------------------------------------------------------------------------------
    # privileged access (demonstrators, tests) -- never part of the observation
    # ------------------------------------------------------------------------------------------------------
    def true_seam_state(self) -> TrueSeamState:
        """The torch relative to the TRUE seam and where the true seam is relative to the reference.

        For demonstrators that may use privileged truth (DESIGN section 3); see `TrueSeamState`.
        """
        if self._true is None:
            raise UserError("true_seam_state() before reset()")
        s = self._s_cmd_m
        c_ref, frame_ref = self._reference(s)
        s_true = self.world.true0.project(c_ref, s)
        c_true = self.world.true_point(s_true)
        d_mm = (c_true - c_ref) @ frame_ref * 1000.0
        return TrueSeamState(
            torch=self._true,
            s_cmd_mm=s * 1000.0,
            seam_point_world_m=c_true,
            seam_frame_world=self.world.true0.frame(s_true),
            gap_mm=self.world.gap_mm(s_true),
            reference_error_lateral_mm=float(d_mm[2]),
            reference_error_normal_mm=float(d_mm[1]),
        )

    def weld_outcome(self) -> dict[str, Any]:
        """The weld so far as `info["weld"]` (DESIGN section 9), e.g. after an outer TimeLimit truncated it.

        `gym.make(id, max_episode_steps=N)` only wraps the env in a `TimeLimit`, which truncates without the
        env knowing; the env grades at its own limit (`max_episode_steps` of the constructor or the
        registered one). `completed` is True when the robot reached the seam end.
        """
        return self._weld_outcome(self._s_cmd_m >= self.world.length_m - 1e-9)

    @property
    def realization(self) -> SeamRealization:
        """The part being welded in this episode."""
        return self.world.realization

    # ------------------------------------------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------------------------------------------
    def _sample_realization(self) -> SeamRealization:
        cfg = self.randomization
        if not cfg.enabled:
            return nominal_realization(self.job)
        r = self._sampling_job.sample_realization(self.np_random)
        if not cfg.gap:
            r = SeamRealization(
                self.job,
                r.translation_error_mm,
                r.rotation_error_deg,
                self.job.gap,
                r.drift_amplitude_mm,
                r.drift_phase_rad,
            )
        return r

    def _place_part(self) -> None:
        pos = self.world.part_pos_m
        self.cell.set_part_pose(pos, self.world.part_quat_xyzw)
        self.tracker.set_part_pose(self.world.part_rot, pos)

    def _update_drift(self, t_s: float) -> None:
        if not self.world.drifts:
            return
        drift = self.world.drift_at(t_s)
        dx, dy, dz = (drift - self._drift_applied_m).tolist()
        if max(abs(dx), abs(dy), abs(dz)) * 1000.0 >= _DRIFT_UPDATE_MM:
            self._drift_applied_m = drift
            self.world.drift_m = drift
            self._place_part()

    @property
    def _corr_blind_mm(self) -> float:
        return self._corr[2]

    def _reference(self, s_m: float) -> tuple[FloatArray, FloatArray]:
        """The seam the robot steers along at `s_m`: programmed, plus the tracked correction."""
        c, frame = self.world.programmed.point_frame(s_m)
        if self.seam_tracking:
            corr = self.buffer.query(s_m)
            self._corr = (corr.lateral_mm, corr.normal_mm, corr.blind_mm if corr.ok else math.inf)
            self._corr_gap_mm = corr.gap_mm
            # c + frame[:, 2] * lat + frame[:, 1] * nor, element by element as numpy evaluates it
            lat, nor = corr.lateral_mm / 1000.0, corr.normal_mm / 1000.0
            (c0, c1, c2), (f0, f1, f2) = c.tolist(), frame.tolist()
            c = np.array(
                [
                    c0 + f0[2] * lat + f0[1] * nor,
                    c1 + f1[2] * lat + f1[1] * nor,
                    c2 + f2[2] * lat + f2[1] * nor,
                ]
            )
        return c, frame

    def _tcp(self) -> tuple[FloatArray, FloatArray]:
        return self.cell.tcp_pose()

    def _true_state(
        self, tip: FloatArray, w: FloatArray, s_guess_m: float, iterations: int = 1
    ) -> TorchState:
        """Torch state against the true seam, from a guess of the aimed arc length.

        `torch_state` corrects s by the aim's tangential offset, exact on a straight seam; one step from
        a guess within a step's travel (0.3 mm) leaves an arc-length error of (0.3 mm)^2 / R on a curve.
        """
        seam = self.world.true0
        drift = self.world.drift_m
        s = s_guess_m
        c, frame = seam.point_frame(s)
        state = torch_state(tip, w, c + drift, frame, s, self.section)
        for _ in range(iterations - 1):
            c, frame = seam.point_frame(state.s_m)
            state = torch_state(tip, w, c + drift, frame, state.s_m, self.section)
        self._true_frame = frame  # the true seam frame at the aimed point (for the bead record)
        return state

    def _perceived_state(self, tip: FloatArray, w: FloatArray) -> TorchState:
        c, frame = self._reference(self._s_cmd_m)
        return torch_state(tip, w, c, frame, self._s_cmd_m, self.section)

    def _scan(self, tip: FloatArray, rot: FloatArray) -> None:
        """Scan at the current tool pose; the reading becomes available after the latency."""
        sensor = rot @ self._sensor_from_tool
        aim = tip + sensor @ self._lookahead_tool_m
        depth_scale = 1.0
        if self.job.joint.kind is JointKind.SINGLE_V_BUTT:
            # the fan axis is tilted from the plate normal (travel/work angle): the groove looks deeper
            ahead_m = self._s_cmd_m + self.sensor_config.lookahead_mm / 1000.0
            n_ahead = self.world.programmed.frame(ahead_m)[:, 1]
            depth_scale = 1.0 / max(abs(float(sensor[:, 2] @ n_ahead)), 0.2)
        reading = self.tracker.scan(aim, sensor, self.np_random, depth_scale)
        ready = self._step + self._latency_steps
        if reading.valid:
            # aim + (sensor[:, 1] * lateral - sensor[:, 2] * vertical) / 1000, element by element
            lat, vert = reading.lateral_mm, reading.vertical_mm
            (p0, p1, p2), (r0, r1, r2) = aim.tolist(), sensor.tolist()
            point = np.array(
                [
                    p0 + (r0[1] * lat - r0[2] * vert) / 1000.0,
                    p1 + (r1[1] * lat - r1[2] * vert) / 1000.0,
                    p2 + (r2[1] * lat - r2[2] * vert) / 1000.0,
                ]
            )
            s_guess = self._s_cmd_m + self.sensor_config.lookahead_mm / 1000.0
            # one Newton step: exact on a straight seam, (mm offset)^2 / R on a curve
            s_scan = self.world.programmed.project(point, s_guess, iterations=1)
            c, frame = self.world.programmed.point_frame(s_scan)
            d_mm = (point - c) @ frame * 1000.0
            # the plates carry the nominal gap; the realised deviation is added (see docs/envs.md)
            gap = max(reading.gap_mm + self.world.gap_deviation_mm(s_scan), 0.0)
            raw = TrackerReading(reading.lateral_mm, reading.vertical_mm, gap, reading.misalignment_mm, True)
            self._pending.append(_Pending(ready, s_scan, float(d_mm[2]), float(d_mm[1]), gap, raw))
        else:
            self._pending.append(_Pending(ready, 0.0, 0.0, 0.0, 0.0, INVALID_READING))

    def _release_readings(self) -> None:
        while self._pending and self._pending[0].ready_step <= self._step:
            r = self._pending.popleft()
            if r.raw.valid:
                self.buffer.push(r.s_m, r.lateral_mm, r.normal_mm, r.gap_mm)
            self._last_reading = r.raw

    def _prescan(self) -> None:
        """The approach: the tracker sweeps the first look-ahead length before the arc starts."""
        d_f = self.sensor_config.lookahead_mm
        w_seam = self._w_nominal
        n = max(2, int(math.ceil(d_f / _PRESCAN_SPACING_MM)) + 1)
        for s_mm in np.linspace(-d_f, 0.0, n):
            c, frame = self.world.programmed.point_frame(s_mm / 1000.0)
            tip = commanded_tip_m(c, frame, w_seam, 0.0, self.wps.ctwd_mm, self.section)
            rot = tool_rotation(frame, w_seam, self.torch_roll_rad)
            self._scan(tip, rot)
        self._step = 10**9  # release everything now
        self._release_readings()
        self._step = 0

    def _start_pose(self) -> FloatArray:
        """Joint positions with the torch at the seam start at the WPS pose (IK from the home pose)."""
        c, frame = self._reference(0.0)
        w_seam = self._w_nominal
        tip = commanded_tip_m(c, frame, w_seam, 0.0, self.wps.ctwd_mm, self.section)
        ik = self.cell.solve_ik(
            tip, tool_rotation(frame, w_seam, self.torch_roll_rad), self.cell.robot.home_q_rad
        )
        if not ik.ok:
            raise ConfigError(
                f"the start of seam {self.job.name!r} is not reachable from the home pose ({ik.reason}, "
                f"torch tip at {np.round(tip, 4).tolist()} m); check the job's part_pose and the cell",
                where="job.part_pose",
            )
        return ik.q

    def _fill_obs(self) -> None:
        o = self._obs
        r = self._last_reading
        o[0], o[1], o[2], o[3], o[4] = (
            r.lateral_mm,
            r.vertical_mm,
            r.gap_mm,
            r.misalignment_mm,
            float(r.valid),
        )
        if self.seam_tracking:
            o[5], o[6], o[7] = self._corr[0], self._corr[1], self._corr_gap_mm
        else:
            o[5] = o[6] = o[7] = 0.0
        p = self._perceived
        assert p is not None
        o[8] = p.lateral_offset_mm
        o[9] = (p.ctwd_mm if math.isfinite(p.ctwd_mm) else self.max_ctwd_mm + 10.0) - self.wps.ctwd_mm
        o[10] = p.work_angle_error_deg - self.nominal_work_error_deg
        o[11] = p.travel_angle_deg - self.wps.travel_angle_deg
        o[12] = self._speed_ratio
        s = self._last_sample
        if s is not None:
            o[13], o[14], o[15], o[16], o[17] = (
                s.current_a,
                s.heat_input_kj_mm,
                s.width_mm,
                s.reinforcement_mm,
                s.penetration_mm,
            )
            o[19] = s.quality
        else:
            o[13:18] = 0.0
            o[19] = 0.0
        o[18] = self._weave_width_mm
        o[20] = self._s_cmd_m / self.world.length_m
        j = OBS_INDEX["q0_normalized"]
        n = self.n_joints
        o[j : j + n] = (self._q - self._q_mid) / self._q_half
        o[j + n : j + 2 * n] = self._qd / self._qd_max
        k = OBS_INDEX["prev_action_0"]
        o[k : k + N_ACTIONS] = self._prev_action
        o *= OBS_INV_SCALE
        np.minimum(np.maximum(o, -OBS_CLIP, out=o), OBS_CLIP, out=o)

    def _weld_outcome(self, completed: bool) -> dict[str, Any]:
        """info["weld"] of DESIGN section 9 (plus extra keys of `WeldGrade.to_dict`)."""
        if self.bead.n == 0:
            return {
                "iso5817_level": None,
                "quality_score": 0.0,
                "completed": completed,
                "imperfections": [],
                "heat_input_kj_mm": 0.0,
            }
        grade = self.bead.grade(self.job.joint)
        out = grade.to_dict()
        out["completed"] = completed
        if not completed:
            # an unfinished weld is at most as good as its welded part, over the whole seam
            done = min(self.bead.s_mm[self.bead.n - 1] / self.job.length_mm, 1.0)
            out["quality_score"] = float(out["quality_score"]) * done
        return out
