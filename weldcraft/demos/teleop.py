"""Keyboard teleoperation: a person at the pybullet GUI welds a seam and keeps or discards the result.

The person steers the torch command that the policy would otherwise give: every action channel holds its
value until a key changes it, at `rate_per_s` normalized units per second while the key is held (the
env's action: lateral, CTWD, work angle, travel angle, travel speed; see the env's `ActionScaling`).
The torch travels along the seam by itself at the commanded speed.

Keys (pybullet's own keyboard shortcuts are switched off while teleop runs):

    space       start a weld (resets the env with the next seed)
    left/right  lateral offset towards side A / side B
    up/down     travel faster / slower
    i/k         CTWD shorter / longer          j/l  work angle towards side A / side B
    u/o         travel angle drag / push       c    centre all channels (the nominal weld)
    enter       save the finished weld         backspace  discard (during or after a weld)
    escape      quit; `run` returns the saved episodes

`KEY_HELP` is this key table for printing. Key events come from a `KeySource`: `PybulletKeySource`
reads the GUI, `ScriptedKeySource` replays injected events so the whole session runs headless in tests.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import gymnasium as gym
import numpy as np

from weldcraft.demos.episode import Episode
from weldcraft.demos.recorder import EpisodeRecorder

log = logging.getLogger(__name__)

KEY_HELP = """keys: space start a weld | left/right lateral | up/down speed | i/k CTWD | j/l work angle
      u/o travel angle | c centre | enter save the finished weld | backspace discard | escape quit"""


class KeyState(enum.IntFlag):
    """pybullet's key flags: KEY_IS_DOWN = 1, KEY_WAS_TRIGGERED = 2, KEY_WAS_RELEASED = 4."""

    DOWN = 1
    TRIGGERED = 2
    RELEASED = 4


class KeySource(Protocol):
    """Anything that reports the keys pressed since the last poll, by name ("space", "left", "a")."""

    def poll(self) -> Mapping[str, KeyState]:
        """Key name -> flags for every key that is down or changed since the last call."""
        ...


class ScriptedKeySource:
    """Replays a list of polls (each a mapping of key names to flags); empty polls once exhausted."""

    def __init__(self, polls: Iterable[Mapping[str, KeyState]]) -> None:
        self._polls = list(polls)
        self._i = 0

    def poll(self) -> Mapping[str, KeyState]:
        """The next scripted poll."""
        if self._i >= len(self._polls):
            return {}
        out = self._polls[self._i]
        self._i += 1
        return out

    @property
    def exhausted(self) -> bool:
        """True once every scripted poll has been returned."""
        return self._i >= len(self._polls)


def tap(key: str) -> dict[str, KeyState]:
    """A poll in which `key` was pressed (triggered and down)."""
    return {key: KeyState.TRIGGERED | KeyState.DOWN}


def hold(key: str) -> dict[str, KeyState]:
    """A poll in which `key` is held down."""
    return {key: KeyState.DOWN}


class PybulletKeySource:
    """Keyboard events of a pybullet GUI client (`pybullet.getKeyboardEvents`)."""

    def __init__(self, client_id: int) -> None:
        import pybullet as p

        self._p = p
        self._client = client_id
        p.configureDebugVisualizer(p.COV_ENABLE_KEYBOARD_SHORTCUTS, 0, physicsClientId=client_id)
        self._names: dict[int, str] = {
            p.B3G_LEFT_ARROW: "left",
            p.B3G_RIGHT_ARROW: "right",
            p.B3G_UP_ARROW: "up",
            p.B3G_DOWN_ARROW: "down",
            p.B3G_RETURN: "enter",
            p.B3G_BACKSPACE: "backspace",
            27: "escape",
            32: "space",
        }

    def poll(self) -> Mapping[str, KeyState]:
        """Current key events of the GUI, by name."""
        events = self._p.getKeyboardEvents(physicsClientId=self._client)
        out: dict[str, KeyState] = {}
        for code, flags in events.items():
            name = self._names.get(code) or (chr(code) if 32 < code < 127 else None)
            if name is not None:
                out[name] = KeyState(flags & 7)
        return out


#: key -> (action channel, direction) while held.
DEFAULT_STEER_KEYS: dict[str, tuple[int, float]] = {
    "left": (0, -1.0),
    "right": (0, 1.0),
    "i": (1, -1.0),
    "k": (1, 1.0),
    "j": (2, -1.0),
    "l": (2, 1.0),
    "u": (3, -1.0),
    "o": (3, 1.0),
    "up": (4, 1.0),
    "down": (4, -1.0),
}


class Phase(enum.StrEnum):
    """Where the session is: waiting for start, welding, or reviewing a finished weld."""

    IDLE = "idle"
    WELDING = "welding"
    REVIEW = "review"


@dataclass
class TeleopSession:
    """A keyboard teleop session on one env.

    Attributes:
        env: the env (render_mode "human" for a person; any mode for scripted tests).
        keys: where key events come from.
        operator_id: stored as the episodes' welder_id.
        seam: the WeldJob name stored in the metadata.
        first_seed: reset seed of the first weld; each new weld uses the next integer.
        rate_per_s: change of a held channel, normalized units per second.
        realtime: pace the loop at the env's control period (False for tests).
        sleep: the pacing function (time.sleep).
    """

    env: gym.Env
    keys: KeySource
    operator_id: str = "operator"
    seam: str = "unknown"
    first_seed: int = 0
    rate_per_s: float = 1.0
    dt_s: float = 0.05
    realtime: bool = True
    steer_keys: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_STEER_KEYS))
    sleep: Callable[[float], None] = time.sleep
    phase: Phase = Phase.IDLE
    saved: list[Episode] = field(default_factory=list)
    discarded: int = 0

    def __post_init__(self) -> None:
        shape = self.env.action_space.shape
        assert shape is not None
        self._action = np.zeros(shape, dtype=np.float32)
        for key, (ch, _) in self.steer_keys.items():
            if not 0 <= ch < shape[0]:
                raise ValueError(f"key {key!r} steers channel {ch}, but the action has {shape[0]} channels")
        self._recorder = EpisodeRecorder()
        self._seed = self.first_seed
        self._running = True

    @property
    def action(self) -> np.ndarray:
        """The command held now (normalized)."""
        return self._action.copy()

    def tick(self) -> bool:
        """Handle one poll of keys and, while welding, one env step; False once the person quit."""
        events = self.keys.poll()
        pressed = {k for k, s in events.items() if s & KeyState.TRIGGERED}
        if "escape" in pressed:
            self._running = False
            return False
        if "backspace" in pressed and self.phase is not Phase.IDLE:
            self.discarded += 1
            log.info("discarded the weld on seed %d", self._seed)
            self._seed += 1
            self.phase = Phase.IDLE
            return True
        if self.phase is Phase.IDLE and "space" in pressed:
            obs, info = self.env.reset(seed=self._seed)
            self._recorder.start(obs, info)
            self._action[:] = 0.0
            self.phase = Phase.WELDING
            return True
        if self.phase is Phase.REVIEW and "enter" in pressed:
            self.saved.append(
                self._recorder.finish(
                    welder_id=self.operator_id,
                    skill="human",
                    style="teleop",
                    seam=self.seam,
                    seed=self._seed,
                    source="teleop",
                )
            )
            self._seed += 1
            self.phase = Phase.IDLE
            return True
        if self.phase is Phase.WELDING:
            self._steer(events)
            action = self._action.copy()
            obs, reward, term, trunc, info = self.env.step(action)
            self._recorder.add(action, obs, float(reward), bool(term), bool(trunc), info)
            if term or trunc:
                weld = info.get("weld", {})
                log.info(
                    "weld finished: level %s, quality %.3f",
                    weld.get("iso5817_level"),
                    weld.get("quality_score", 0),
                )
                self.phase = Phase.REVIEW
        return True

    def _steer(self, events: Mapping[str, KeyState]) -> None:
        if "c" in events and events["c"] & KeyState.TRIGGERED:
            self._action[:] = 0.0
        step = self.rate_per_s * self.dt_s
        for key, state in events.items():
            if key in self.steer_keys and state & KeyState.DOWN:
                ch, direction = self.steer_keys[key]
                self._action[ch] = np.clip(self._action[ch] + direction * step, -1.0, 1.0)

    def run(self, max_ticks: int | None = None) -> list[Episode]:
        """Loop until the person presses escape (or `max_ticks`); returns the saved episodes."""
        n = 0
        while self._running and (max_ticks is None or n < max_ticks):
            t0 = time.perf_counter()
            if not self.tick():
                break
            n += 1
            if self.realtime:
                self.sleep(max(0.0, self.dt_s - (time.perf_counter() - t0)))
        return list(self.saved)


def session_summary(session: TeleopSession) -> dict[str, Any]:
    """Counts and grades of a finished session (for the CLI to print)."""
    return {
        "saved": len(session.saved),
        "discarded": session.discarded,
        "levels": [ep.metadata.iso_level for ep in session.saved],
        "quality": [round(ep.metadata.quality_score, 4) for ep in session.saved],
    }
