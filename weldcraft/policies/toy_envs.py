"""Tiny fake welding envs and their oracles, for tests and benchmarks of the learning code.

They follow the welding envs' contract (DESIGN §3, §9): Box observations, actions in [-1, 1], the seam
known to the policy only through a noisy lateral reading, ``info["weld"]`` on the final step with
``iso5817_level``, ``quality_score``, ``completed``, ``imperfections`` and ``heat_input_kj_mm``, and the
per-step ``info["lateral_offset_true_mm"]`` (torch minus true seam, mm) that evaluation reads. The physics
is a 1-D kinematic stand-in, not a weld model: quality terms, thresholds and ISO 6520 codes are chosen to
exercise the pipeline, and only the heat input uses the real formula (EN 1011-1, k = 0.8).

* ``weldcraft-toy/Weave-v0`` (`ToyWeaveEnv`): track a drifting seam while weaving; the oracle weaves a
  sine of fixed frequency and random phase, so its action is not a function of the current observation.
* ``weldcraft-toy/Drift-v0`` (`ToyDriftEnv`): the seam bends with a hidden amplitude and phase; the oracle
  tracks it perfectly from privileged truth, so demonstrations never show an offset and behaviour cloning
  never learns to correct one (compounding error; DAgger's textbook case).
* ``weldcraft-toy/Scripted-v0`` (`ScriptedWeldEnv`): outcomes fixed by the seed, offsets a known sine,
  actions ignored; evaluation metrics must come out exactly.

Importing this module registers the three ids and the oracles ``toy_weave`` and ``toy_drift``.
"""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from weldcraft.policies.oracle import ORACLES

_VOLTAGE_V, _CURRENT_A = 25.0, 250.0


def _heat_input_kj_mm(travel_speed_mm_s: float) -> float:
    # EN 1011-1 / ISO/TR 17671-1: Q = k·U·I/v·1e-3 kJ/mm, k = 0.8 for MIG/MAG (DESIGN §4)
    return 0.8 * _VOLTAGE_V * _CURRENT_A / travel_speed_mm_s * 1e-3


def _level(quality: float, completed: bool) -> str | None:
    if not completed:
        return None
    return "B" if quality >= 0.85 else "C" if quality >= 0.7 else "D" if quality >= 0.5 else None


def _runs(mask: list[bool], s_mm: list[float], code: str, sizes: list[float]) -> list[dict[str, Any]]:
    """One imperfection per run of True in `mask`: start position and the largest size in the run."""
    out: list[dict[str, Any]] = []
    start = None
    for i, flag in enumerate([*mask, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append(
                {"iso6520_code": code, "s_mm": float(s_mm[start]), "size_mm": float(max(sizes[start:i]))}
            )
            start = None
    return out


class _ToySeamEnv(gym.Env[np.ndarray, np.ndarray]):
    """Shared machinery: a torch moving laterally over a seam at 20 Hz, graded at the end."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 20}
    lost_seam_mm = 8.0

    def __init__(
        self, episode_steps: int, dt_s: float, sensor_noise_mm: float, render_mode: str | None
    ) -> None:
        self.episode_steps = int(episode_steps)
        self.dt = float(dt_s)
        self.sensor_noise_mm = float(sensor_noise_mm)
        self.render_mode = render_mode
        self.t_s = 0.0
        self.step_index = 0
        self.torch_lateral_mm = 0.0
        self._trail: list[tuple[float, float]] = []
        self._rewards: list[float] = []
        self._s_mm: list[float] = []

    # privileged truth, overridden per env
    def seam_lateral_mm(self, t_s: float) -> float:
        raise NotImplementedError

    def _sense(self) -> float:
        return (
            self.torch_lateral_mm
            - self.seam_lateral_mm(self.t_s)
            + self.sensor_noise_mm * float(self.np_random.normal())
        )

    def render(self) -> np.ndarray | None:  # type: ignore[override]
        """An 80×200 RGB strip: seam (grey) and torch trail (orange) over the last 200 steps, ±5 mm."""
        if self.render_mode != "rgb_array":
            return None
        img = np.full((80, 200, 3), 30, dtype=np.uint8)
        for col, (seam, torch_mm) in enumerate(self._trail[-200:]):
            for value, colour in ((seam, (160, 160, 160)), (torch_mm, (255, 140, 0))):
                row = int(round(40 - 8 * (value - self._trail[-1][0])))
                if 0 <= row < 80:
                    img[row, col] = colour
        return img

    def _finish(
        self, completed: bool, extra: list[dict[str, Any]], speed_mm_s: list[float]
    ) -> dict[str, Any]:
        quality = float(np.mean(self._rewards)) if completed else 0.5 * float(np.mean(self._rewards))
        return {
            "iso5817_level": _level(quality, completed),
            "quality_score": quality,
            "completed": completed,
            "imperfections": extra,
            "heat_input_kj_mm": float(np.mean([_heat_input_kj_mm(v) for v in speed_mm_s])),
        }


class ToyWeaveEnv(_ToySeamEnv):
    """Seam tracking with a weave (see module docstring).

    Observation (float32 [3]): measured lateral offset torch − seam (mm, noise σ = sensor_noise_mm), gap (mm),
    progress in [0, 1]. Action [2] in [-1, 1]: lateral speed (× 30 mm/s) and travel-speed trim (±20 % of
    6 mm/s). Reward per step in [0, 1]: 1 − 0.4·tracking − 0.3·fill − 0.3·weave, where tracking grows with the
    weave centre's offset (0.5 s moving average, 1.5 mm = worst), fill with the travel trim's error against
    the gap-matched trim 0.6 − 0.5·gap (0.5 = worst), and weave with the mean |offset − centre| missing the
    target 0.95 mm (a ±1.5 mm sine).
    """

    lateral_speed_max_mm_s = 30.0
    travel_speed_mm_s = 6.0
    weave_target_mm = 1.5 * 2 / math.pi

    def __init__(
        self,
        episode_steps: int = 200,
        dt_s: float = 0.05,
        sensor_noise_mm: float = 0.05,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(episode_steps, dt_s, sensor_noise_mm, render_mode)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self._drift = self._bend = self._psi = self._gap_phase = 0.0

    def seam_lateral_mm(self, t_s: float) -> float:
        return self._drift * t_s + self._bend * (
            math.sin(2 * math.pi * t_s / 5.0 + self._psi) - math.sin(self._psi)
        )

    def gap_mm(self, t_s: float) -> float:
        return 1.0 + 0.8 * math.sin(2 * math.pi * t_s / 3.0 + self._gap_phase)

    @staticmethod
    def ideal_trim(gap_mm: float) -> float:
        return float(np.clip(0.6 - 0.5 * gap_mm, -1.0, 1.0))

    def _obs(self) -> np.ndarray:
        return np.array(
            [self._sense(), self.gap_mm(self.t_s), self.step_index / self.episode_steps], np.float32
        )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        rng = self.np_random
        self._drift, self._bend = float(rng.uniform(-0.3, 0.3)), float(rng.uniform(0.0, 1.0))
        self._psi, self._gap_phase = float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(0, 2 * math.pi))
        self.t_s, self.step_index = 0.0, 0
        self.torch_lateral_mm = float(rng.uniform(-0.5, 0.5))
        self._centre = self._amp = 0.0
        self._amp = self.weave_target_mm
        self._rewards, self._s_mm, self._trail = [], [], []
        self._speeds: list[float] = []
        self._centre_log: list[float] = []
        self._fill_log: list[float] = []
        self._amp_log: list[float] = []
        return self._obs(), {"lateral_offset_true_mm": self.torch_lateral_mm - self.seam_lateral_mm(0.0)}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        a = np.clip(np.asarray(action, dtype=np.float64).reshape(2), -1.0, 1.0)
        speed = self.travel_speed_mm_s * (1.0 + 0.2 * a[1])
        gap = self.gap_mm(self.t_s)
        self.torch_lateral_mm += float(a[0]) * self.lateral_speed_max_mm_s * self.dt
        self.t_s += self.dt
        self.step_index += 1
        offset = self.torch_lateral_mm - self.seam_lateral_mm(self.t_s)
        alpha = self.dt / 0.5
        self._centre += alpha * (offset - self._centre)
        self._amp += alpha * (abs(offset - self._centre) - self._amp)
        fill_err = abs(float(a[1]) - self.ideal_trim(gap))
        tracking = min(1.0, abs(self._centre) / 1.5)
        fill = min(1.0, fill_err / 0.5)
        weave = min(1.0, abs(self._amp - self.weave_target_mm) / self.weave_target_mm)
        reward = 1.0 - 0.4 * tracking - 0.3 * fill - 0.3 * weave
        s_mm = (self._s_mm[-1] if self._s_mm else 0.0) + speed * self.dt
        self._rewards.append(reward)
        self._s_mm.append(s_mm)
        self._speeds.append(speed)
        self._centre_log.append(abs(self._centre))
        self._fill_log.append(fill_err)
        self._amp_log.append(self._amp)
        self._trail.append((self.seam_lateral_mm(self.t_s), self.torch_lateral_mm))
        lost = abs(offset) > self.lost_seam_mm
        done = lost or self.step_index >= self.episode_steps
        info: dict[str, Any] = {
            "lateral_offset_true_mm": offset,
            "s_mm": s_mm,
            "reward_terms": {"tracking": tracking, "fill": fill, "weave": weave},
        }
        if done:
            imperfections = (
                _runs([c > 1.0 for c in self._centre_log], self._s_mm, "4011", self._centre_log)
                + _runs([f > 0.3 for f in self._fill_log], self._s_mm, "511", self._fill_log)
                + _runs(
                    [m < 0.4 for m in self._amp_log], self._s_mm, "5011", [0.5 - m for m in self._amp_log]
                )
            )
            info["weld"] = self._finish(not lost, imperfections, self._speeds)
        return self._obs(), reward, done, False, info


class ToyWeaveOracle:
    """Weaves a sine (amplitude, frequency) of random phase around the true seam and sets the
    gap-matched travel trim. Lateral command: feed-forward of seam and weave plus gain·error (1/s)."""

    def __init__(self, amplitude_mm: float = 1.5, frequency_hz: float = 1.5, gain_per_s: float = 8.0) -> None:
        self.amplitude_mm, self.frequency_hz, self.gain_per_s = amplitude_mm, frequency_hz, gain_per_s
        self.phase = 0.0

    def reset(self, env: gym.Env[Any, Any], *, seed: int) -> None:
        self.phase = float(np.random.default_rng(seed).uniform(0, 2 * math.pi))

    def _target(self, u: ToyWeaveEnv, t_s: float) -> float:
        w = 2 * math.pi * self.frequency_hz
        return u.seam_lateral_mm(t_s) + self.amplitude_mm * math.sin(w * t_s + self.phase)

    def act(self, env: gym.Env[Any, Any]) -> np.ndarray:
        u = env.unwrapped
        assert isinstance(u, ToyWeaveEnv)
        t = u.t_s
        feed_forward = (self._target(u, t + u.dt) - self._target(u, t)) / u.dt
        error = self._target(u, t) - u.torch_lateral_mm
        lateral = (feed_forward + self.gain_per_s * error) / u.lateral_speed_max_mm_s
        return np.array([lateral, u.ideal_trim(u.gap_mm(t))], dtype=np.float32)


class ToyDriftEnv(_ToySeamEnv):
    """Seam tracking on a bending seam with hidden bend amplitude (2–4 mm) and phase; no weave.

    Observation (float32 [2]): measured lateral offset (mm), progress. Action [1]: lateral speed
    (× 20 mm/s). The torch starts exactly on the seam. Reward 1 − min(1, |offset| / 3 mm).
    """

    lateral_speed_max_mm_s = 20.0
    period_s = 4.0

    def __init__(
        self,
        episode_steps: int = 160,
        dt_s: float = 0.05,
        sensor_noise_mm: float = 0.05,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(episode_steps, dt_s, sensor_noise_mm, render_mode)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self._amp = self._psi = 0.0

    def seam_lateral_mm(self, t_s: float) -> float:
        return self._amp * (math.sin(2 * math.pi * t_s / self.period_s + self._psi) - math.sin(self._psi))

    def _obs(self) -> np.ndarray:
        return np.array([self._sense(), self.step_index / self.episode_steps], np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._amp = float(self.np_random.uniform(2.0, 4.0))
        self._psi = float(self.np_random.uniform(0, 2 * math.pi))
        self.t_s, self.step_index, self.torch_lateral_mm = 0.0, 0, 0.0
        self._rewards, self._s_mm, self._trail = [], [], []
        self._abs_log: list[float] = []
        return self._obs(), {"lateral_offset_true_mm": 0.0}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        a = float(np.clip(np.asarray(action, dtype=np.float64).reshape(1)[0], -1.0, 1.0))
        self.torch_lateral_mm += a * self.lateral_speed_max_mm_s * self.dt
        self.t_s += self.dt
        self.step_index += 1
        offset = self.torch_lateral_mm - self.seam_lateral_mm(self.t_s)
        reward = 1.0 - min(1.0, abs(offset) / 3.0)
        self._rewards.append(reward)
        self._s_mm.append(6.0 * self.t_s)
        self._abs_log.append(abs(offset))
        self._trail.append((self.seam_lateral_mm(self.t_s), self.torch_lateral_mm))
        lost = abs(offset) > self.lost_seam_mm
        done = lost or self.step_index >= self.episode_steps
        info: dict[str, Any] = {"lateral_offset_true_mm": offset, "s_mm": self._s_mm[-1]}
        if done:
            lof = _runs([x > 1.0 for x in self._abs_log], self._s_mm, "4011", self._abs_log)
            info["weld"] = self._finish(not lost, lof, [6.0] * len(self._rewards))
        return self._obs(), reward, done, False, info


class ToyDriftOracle:
    """Tracks the true seam: exact discrete feed-forward of the seam motion plus gain·error (1/s)."""

    def __init__(self, gain_per_s: float = 10.0) -> None:
        self.gain_per_s = gain_per_s

    def reset(self, env: gym.Env[Any, Any], *, seed: int) -> None:
        return None

    def act(self, env: gym.Env[Any, Any]) -> np.ndarray:
        u = env.unwrapped
        assert isinstance(u, ToyDriftEnv)
        t = u.t_s
        feed_forward = (u.seam_lateral_mm(t + u.dt) - u.seam_lateral_mm(t)) / u.dt
        error = u.seam_lateral_mm(t) - u.torch_lateral_mm
        return np.array([(feed_forward + self.gain_per_s * error) / u.lateral_speed_max_mm_s], np.float32)


class ScriptedWeldEnv(gym.Env[np.ndarray, np.ndarray]):
    """Known outcomes for testing the evaluation (actions are ignored).

    Per step ``lateral_offset_true_mm = bias_mm + amplitude_mm·sin(2π·frequency_hz·t)``; the episode lasts
    `episode_steps` steps of `dt_s`. The outcome cycles with ``seed % 4``: level B (quality 0.95, no
    imperfection), C (0.8, one 5011), D (0.6, a 5011 and a 4011), none (0.2, not completed, a 510).
    """

    metadata = {"render_modes": [], "render_fps": 20}
    OUTCOMES: tuple[tuple[str | None, float, bool, tuple[str, ...]], ...] = (
        ("B", 0.95, True, ()),
        ("C", 0.8, True, ("5011",)),
        ("D", 0.6, True, ("5011", "4011")),
        (None, 0.2, False, ("510",)),
    )

    def __init__(
        self,
        episode_steps: int = 100,
        dt_s: float = 0.05,
        bias_mm: float = 0.3,
        amplitude_mm: float = 1.0,
        frequency_hz: float = 2.0,
    ) -> None:
        self.episode_steps, self.dt = episode_steps, dt_s
        self.bias_mm, self.amplitude_mm, self.frequency_hz = bias_mm, amplitude_mm, frequency_hz
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self._k = 0
        self._seed = 0

    def _offset(self) -> float:
        return self.bias_mm + self.amplitude_mm * math.sin(
            2 * math.pi * self.frequency_hz * self._k * self.dt
        )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._seed = int(seed) if seed is not None else int(self.np_random.integers(2**31))
        self._k = 0
        return np.zeros(1, np.float32), {"lateral_offset_true_mm": self._offset()}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self._k += 1
        done = self._k >= self.episode_steps
        info: dict[str, Any] = {"lateral_offset_true_mm": self._offset()}
        if done:
            level, quality, completed, codes = self.OUTCOMES[self._seed % 4]
            info["weld"] = {
                "iso5817_level": level,
                "quality_score": quality,
                "completed": completed,
                "imperfections": [
                    {"iso6520_code": c, "s_mm": 10.0 * (i + 1), "size_mm": 0.3} for i, c in enumerate(codes)
                ],
                "heat_input_kj_mm": 0.8,
            }
        return np.zeros(1, np.float32), 0.0, done, False, info


WEAVE_ENV_ID = "weldcraft-toy/Weave-v0"
DRIFT_ENV_ID = "weldcraft-toy/Drift-v0"
SCRIPTED_ENV_ID = "weldcraft-toy/Scripted-v0"
TOY_ENV_IDS = {
    WEAVE_ENV_ID: "weldcraft.policies.toy_envs:ToyWeaveEnv",
    DRIFT_ENV_ID: "weldcraft.policies.toy_envs:ToyDriftEnv",
    SCRIPTED_ENV_ID: "weldcraft.policies.toy_envs:ScriptedWeldEnv",
}
for _env_id, _entry in TOY_ENV_IDS.items():
    if _env_id not in gym.registry:
        # No TimeLimit: the envs end the episode themselves at the seam's end and grade it on that step.
        gym.register(id=_env_id, entry_point=_entry)
for _name, _factory in (("toy_weave", ToyWeaveOracle), ("toy_drift", ToyDriftOracle)):
    if _name not in ORACLES:
        ORACLES.register(_name)(_factory)
