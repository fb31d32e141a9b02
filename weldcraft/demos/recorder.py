"""Collect one env episode step by step into an `Episode` with metadata from the weld outcome.

Shared by every producer of demonstrations (the Craftsman, the recording importer, keyboard teleop).
The weld outcome is `info["weld"]` of the step that ends the episode (DESIGN section 9).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from weldcraft.demos.episode import Episode, EpisodeMetadata, stack_infos
from weldcraft.errors import DataError


class EpisodeRecorder:
    """Accumulates observations, actions, rewards, flags and infos of one episode.

    Call `start(obs, info)` after `env.reset`, `add(action, obs, reward, terminated, truncated, info)` after
    every `env.step`, then `finish(...)`.
    """

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.observations: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []
        self.rewards: list[float] = []
        self.terminations: list[bool] = []
        self.truncations: list[bool] = []
        self.infos: list[dict[str, Any]] = []

    def start(self, obs: np.ndarray, info: dict[str, Any]) -> None:
        """Begin with the reset observation and info (clears anything recorded before)."""
        self._clear()
        self.observations.append(np.array(obs, copy=True))
        self.infos.append(info)

    def add(
        self,
        action: np.ndarray,
        obs: np.ndarray,
        reward: float,
        terminated: bool,
        truncated: bool,
        info: dict[str, Any],
    ) -> None:
        """Record one step: the action taken and what the env returned."""
        self.actions.append(np.array(action, copy=True))
        self.observations.append(np.array(obs, copy=True))
        self.rewards.append(float(reward))
        self.terminations.append(bool(terminated))
        self.truncations.append(bool(truncated))
        self.infos.append(info)

    @property
    def n_steps(self) -> int:
        """Steps recorded so far."""
        return len(self.actions)

    @property
    def done(self) -> bool:
        """True once a step terminated or truncated the episode."""
        return bool(self.terminations and (self.terminations[-1] or self.truncations[-1]))

    def weld(self) -> dict[str, Any]:
        """The weld outcome `info["weld"]` of the last step (DataError if the env gave none)."""
        if not self.infos or "weld" not in self.infos[-1]:
            raise DataError(
                "the episode's last step has no info['weld'] (did the episode end?)", where="episode"
            )
        weld = self.infos[-1]["weld"]
        return dict(weld)

    def finish(
        self,
        *,
        welder_id: str,
        skill: str,
        style: str,
        seam: str,
        seed: int | None,
        source: str,
        seam_spec: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Episode:
        """The recorded episode with metadata from the weld outcome of its last step."""
        weld = self.weld()
        level = weld.get("iso5817_level")
        meta = EpisodeMetadata(
            welder_id=welder_id,
            skill=skill,
            style=style,
            seam=seam,
            seed=seed,
            iso_level=None if level is None else str(level),
            quality_score=float(np.clip(float(weld.get("quality_score", 0.0)), 0.0, 1.0)),
            completed=bool(weld.get("completed", False)),
            source=source,
            seam_spec=dict(seam_spec or {}),
            extra={
                "heat_input_kj_mm": _json_float(weld.get("heat_input_kj_mm")),
                "imperfection_codes": sorted(
                    {str(i.get("iso6520_code")) for i in weld.get("imperfections", [])}
                ),
                **(extra or {}),
            },
        )
        return Episode(
            observations=np.stack(self.observations),
            actions=np.stack(self.actions),
            rewards=np.asarray(self.rewards, dtype=np.float64),
            terminations=np.asarray(self.terminations, dtype=np.bool_),
            truncations=np.asarray(self.truncations, dtype=np.bool_),
            infos=stack_infos(self.infos),
            metadata=meta,
        )


def _json_float(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if np.isfinite(f) else None
