"""The seed protocol: which reset seeds training may use and which are held out for evaluation.

Every episode in weldcraft is identified by the integer seed passed to ``env.reset(seed=...)``: the env draws
the seam, part placement, gap and drift from it, and the demonstrator derives its own noise from it. The
seed ranges below are fixed for the life of the project (changing them is a change of meaning), so that a
reported figure is always measured on seams that no training run could have seen:

==================  =============================  ==============================================
split               range                          used by
==================  =============================  ==============================================
train               ``[0, 1_000_000)``             demonstrations, DAgger rollouts, PPO rollouts
validation          ``[1_000_000, 10_000_000)``    model selection during development
held-out            ``[10_000_000, 2**31)``        ``weldcraft evaluate`` and every reported figure
==================  =============================  ==============================================

The checks raise `weldcraft.errors.UserError` naming the offending seed and the allowed range.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from weldcraft.errors import UserError

TRAIN_SEED_LIMIT = 1_000_000
"""Training seeds are ``0 <= seed < TRAIN_SEED_LIMIT``."""
VALIDATION_SEED_START = TRAIN_SEED_LIMIT
HELD_OUT_SEED_START = 10_000_000
"""Held-out evaluation seeds are ``HELD_OUT_SEED_START <= seed < SEED_END``."""
SEED_END = 2**31
"""Exclusive upper bound of every seed (fits a signed 32-bit integer)."""

Split = Literal["train", "validation", "held_out"]
_RANGES: dict[str, tuple[int, int]] = {
    "train": (0, TRAIN_SEED_LIMIT),
    "validation": (VALIDATION_SEED_START, HELD_OUT_SEED_START),
    "held_out": (HELD_OUT_SEED_START, SEED_END),
}


def seed_range(split: Split) -> tuple[int, int]:
    """The half-open range ``[start, end)`` of reset seeds that belong to `split`."""
    if split not in _RANGES:
        raise UserError(f"unknown seed split {split!r}; choose one of: {', '.join(_RANGES)}")
    return _RANGES[split]


def split_of(seed: int) -> Split:
    """The split a seed belongs to; raises `UserError` for negative seeds or seeds ≥ 2**31."""
    for name, (lo, hi) in _RANGES.items():
        if lo <= seed < hi:
            return name  # type: ignore[return-value]
    raise UserError(f"seed {seed} is outside every split; seeds are integers in [0, {SEED_END})")


def check_seeds(seeds: Iterable[int], split: Split, *, where: str | None = None) -> list[int]:
    """Return `seeds` as a list of ints after checking that every one belongs to `split`.

    Raises `UserError` naming the first offending seed, e.g. an evaluation asked to run on a training seed.
    """
    lo, hi = seed_range(split)
    out: list[int] = []
    for seed in seeds:
        value = int(seed)
        if not lo <= value < hi:
            raise UserError(
                f"seed {value} belongs to the {split_of(value) if 0 <= value < SEED_END else 'no'} split, "
                f"but {split} seeds must lie in [{lo}, {hi}) (see weldcraft.policies.seeds)",
                where=where,
            )
        out.append(value)
    return out


def held_out_seeds(n: int, *, offset: int = 0) -> list[int]:
    """The first `n` held-out seeds after `offset`: ``HELD_OUT_SEED_START + offset + i``.

    The default evaluation set of ``weldcraft evaluate episodes=N`` is ``held_out_seeds(N)``, so two reports
    with the same N are measured on the same seams.
    """
    if n < 1 or offset < 0:
        raise UserError(f"need n >= 1 and offset >= 0 held-out seeds, got n={n}, offset={offset}")
    return check_seeds(range(HELD_OUT_SEED_START + offset, HELD_OUT_SEED_START + offset + n), "held_out")


@dataclass(frozen=True)
class SeedSchedule:
    """The reset seeds one env of a vectorized set uses, in order.

    Either a finite list (`seeds`; after the last one the env repeats it and the collector discards those
    episodes) or an endless arithmetic stream ``start, start + step, ...`` (`seeds` empty) for RL training.
    Every seed is checked against `split` when it is drawn, so a training stream can never run into the
    held-out range.
    """

    split: Split
    seeds: tuple[int, ...] = ()
    start: int = 0
    step: int = 1

    def __post_init__(self) -> None:
        if self.step < 1:
            raise UserError(f"seed schedule step must be >= 1, got {self.step}")
        check_seeds(self.seeds, self.split)
        if not self.seeds:
            check_seeds([self.start], self.split)

    def seed_at(self, index: int) -> int:
        """The seed of this env's `index`-th episode (0-based)."""
        if self.seeds:
            return self.seeds[min(index, len(self.seeds) - 1)]
        return check_seeds([self.start + index * self.step], self.split)[0]

    @property
    def quota(self) -> int | None:
        """Number of episodes this schedule stands for (None for an endless stream)."""
        return len(self.seeds) if self.seeds else None


def split_schedule(seeds: list[int], n_envs: int, split: Split) -> list[SeedSchedule]:
    """Deal `seeds` round-robin to `n_envs` envs (env i gets ``seeds[i::n_envs]``); n_envs ≤ len(seeds)."""
    if not 1 <= n_envs <= len(seeds):
        raise UserError(f"need 1 <= n_envs <= number of seeds ({len(seeds)}), got n_envs={n_envs}")
    return [SeedSchedule(split, tuple(seeds[i::n_envs])) for i in range(n_envs)]


def stream_schedule(base_seed: int, n_envs: int, split: Split = "train") -> list[SeedSchedule]:
    """Endless interleaved streams for `n_envs` envs: env i uses ``base_seed + i + k * n_envs``."""
    return [SeedSchedule(split, (), base_seed + i, n_envs) for i in range(n_envs)]
