"""Run a regression suite: weld every case in the cell, check its expectations, compare with goldens.

``run_suite(path, update=False, select=None) -> SuiteResult``; ``update_goldens(path)`` is
``run_suite(path, update=True)``: it rewrites each case's golden from the weld it makes now (then the
golden comparisons pass by construction, the absolute expectations are still checked).

A case welds either an exported program (``weldcraft.export.read_program``, replayed by
`weldcraft.regress.replay.replay_program`) or a policy checkpoint (run on the case's part with the
checkpoint's frame stacking; needs ``weldcraft.policies``). A mistake in a case (missing program file,
unknown preset, malformed golden) fails that case with the error's message and makes
``SuiteResult.exit_code`` 2; failed expectations make it 1.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import ConfigError, DataError, UserError
from weldcraft.export import read_program
from weldcraft.regress.checks import Check, check_case, level_text
from weldcraft.regress.episode import EpisodeResult
from weldcraft.regress.golden import Golden, file_sha256, load_golden, save_golden
from weldcraft.regress.replay import replay_program, run_actions
from weldcraft.regress.suite import CaseSpec, SuiteSpec, load_suite
from weldcraft.seams import PlacementErrorSpec, WeldJob, load_job
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class CaseResult:
    """The outcome of one case.

    Attributes:
        case: the case.
        checks: one per expectation (empty when the case could not run).
        replay: what the cell did (None when the case could not run).
        error: the user error that stopped the case, or None.
        golden_written: the golden file written by an update, or None.
        duration_s: wall time of the case.
    """

    case: CaseSpec
    checks: tuple[Check, ...]
    replay: EpisodeResult | None
    error: str | None = None
    golden_written: Path | None = None
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def message(self) -> str:
        """One line: ``case NAME: <what failed>`` or ``case NAME: passed (level B, quality 0.813)``."""
        head = f"case {self.case.name}"
        if self.error is not None:
            return f"{head}: {self.error}"
        if not self.passed:
            return f"{head}: " + "; ".join(c.message for c in self.failures)
        assert self.replay is not None
        weld = self.replay.weld
        return (
            f"{head}: passed (level {level_text(weld['iso5817_level'])}, "
            f"quality {float(weld['quality_score']):.3f})"
        )

    def to_dict(self) -> dict[str, Any]:
        weld = self.replay.weld if self.replay is not None else None
        return {
            "case": self.case.name,
            "passed": self.passed,
            "message": self.message,
            "error": self.error,
            "checks": [dataclasses.asdict(c) for c in self.checks],
            "iso5817_level": None if weld is None else weld["iso5817_level"],
            "quality_score": None if weld is None else float(weld["quality_score"]),
            "golden_written": None if self.golden_written is None else str(self.golden_written),
            "duration_s": round(self.duration_s, 3),
        }


@dataclass(frozen=True, eq=False)
class SuiteResult:
    """All cases of a suite run, in file order."""

    suite: SuiteSpec
    cases: tuple[CaseResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    @property
    def exit_code(self) -> int:
        """0 all passed, 2 a case had a user error (bad file or config), 1 an expectation failed."""
        if any(c.error is not None for c in self.cases):
            return 2
        return 0 if self.passed else 1

    def summary(self) -> str:
        """Lines for a terminal: one per case, then the count."""
        lines = [("PASS " if c.passed else "FAIL ") + c.message for c in self.cases]
        n_fail = sum(not c.passed for c in self.cases)
        lines.append(f"{self.suite.name}: {len(self.cases) - n_fail} passed, {n_fail} failed")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite.name,
            "path": str(self.suite.path),
            "passed": self.passed,
            "cases": [c.to_dict() for c in self.cases],
        }


def build_job(case: CaseSpec) -> WeldJob:
    """The case's WeldJob: preset or file, with its placement-error overrides applied."""
    job = load_job(case.job)
    if case.placement:
        values = dict(case.placement)
        if "gap_offset_range_mm" in values:
            values["gap_offset_range_mm"] = tuple(values["gap_offset_range_mm"])
        try:
            placement = dataclasses.replace(job.placement, **values)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"placement override: {exc}", where=case.where) from None
        job = dataclasses.replace(job, placement=placement)
    assert isinstance(job.placement, PlacementErrorSpec)
    return job


@dataclass(frozen=True, eq=False)
class PolicyController:
    """A policy checkpoint ready to weld in the cell (what `run_actions` takes).

    Attributes:
        checkpoint: the loaded `weldcraft.policies.checkpoint.PolicyCheckpoint`.
        act: ``act(step, stacked_obs) -> (A,)`` deterministic action.
        wrap: the checkpoint's frame stacking around the cell env.
        env_kwargs: the env arguments the checkpoint was trained with (seam tracking, sensor ...).
        job_name: the seam preset (or job file) the checkpoint was trained on, if it names one.
    """

    checkpoint: Any
    act: Callable[[int, np.ndarray], np.ndarray]
    wrap: Callable[[Any], Any]
    env_kwargs: dict[str, Any]
    job_name: str | None


def policy_controller(path: PathLikeStr, *, where: str | None = None) -> PolicyController:
    """Load the checkpoint at `path` as a deterministic controller with its frame history.

    Raises:
        UserError: no checkpoint there, the learning layer is missing, or the checkpoint was trained on
            an env that is not a weldcraft cell (e.g. a toy env).
    """
    try:
        from weldcraft.policies.checkpoint import load_checkpoint
        from weldcraft.policies.history import FrameStackWrapper
    except ImportError as exc:  # the learning layer is optional for program-only suites
        raise UserError(f"checkpoints need weldcraft.policies ({exc})", where=where) from None
    from weldcraft._registration import ENTRY_POINT, ENV_IDS

    if not Path(path).is_dir():
        raise DataError("no such checkpoint directory", where=str(path))
    ckpt = load_checkpoint(path)
    import gymnasium as gym

    spec = gym.spec(ckpt.env_id) if ckpt.env_id in gym.registry else None
    if ckpt.env_id not in ENV_IDS and (spec is None or spec.entry_point != ENTRY_POINT):
        raise UserError(
            f"checkpoint {path} was trained on {ckpt.env_id!r}, not on a weldcraft cell env "
            f"({', '.join(sorted(ENV_IDS))})",
            where=where,
        )
    k = int(ckpt.history_frames)
    job = ckpt.env_kwargs.get("job")
    job_name = str(job) if isinstance(job, str) else ENV_IDS.get(ckpt.env_id, (None, 0))[0]

    def act(_: int, obs: np.ndarray) -> np.ndarray:
        return np.asarray(ckpt.predict(obs[None, :])[0], dtype=np.float64)

    return PolicyController(ckpt, act, lambda env: FrameStackWrapper(env, k), dict(ckpt.env_kwargs), job_name)


def _run_checkpoint(case: CaseSpec, job: WeldJob) -> EpisodeResult:
    """Run the checkpoint's policy (deterministic) on the case's part."""
    assert case.checkpoint is not None
    ctl = policy_controller(case.checkpoint, where=case.where)
    result, _ = run_actions(
        job, ctl.act, seed=case.seed, control_hz=case.control_hz, wrap=ctl.wrap, env_kwargs=ctl.env_kwargs
    )
    return result


def weld_case(case: CaseSpec) -> tuple[EpisodeResult, str, str]:
    """Weld the case in the cell: (result, SHA-256 of its program or checkpoint, the job's hash)."""
    job = build_job(case)
    if case.program is not None:
        program = read_program(case.program, fmt=case.format)
        result = replay_program(program, job, seed=case.seed, control_hz=case.control_hz)
        source = case.program
    else:
        assert case.checkpoint is not None
        if not case.checkpoint.is_dir():
            raise DataError("no such checkpoint directory", where=str(case.checkpoint))
        result = _run_checkpoint(case, job)
        source = case.checkpoint
    return result, file_sha256(source), job.config_hash()


def run_case(case: CaseSpec, *, update: bool = False) -> CaseResult:
    """Weld one case, (optionally) rewrite its golden, and check its expectations."""
    start = time.perf_counter()
    try:
        replay, source_hash, job_hash = weld_case(case)
        written = None
        if update:
            golden: Golden | None = Golden.from_replay(case.name, replay, source_hash, job_hash, case.seed)
            assert golden is not None
            written = save_golden(golden, case.golden)
            log.info("golden written: %s", written)
        elif case.expect.needs_golden and case.golden.exists():
            golden = load_golden(case.golden)
            if golden.job_hash != job_hash or golden.seed != case.seed:
                raise DataError(
                    f"the golden was made for another part (job hash {golden.job_hash[:12]}, "
                    f"seed {golden.seed}); the case now welds job hash {job_hash[:12]}, seed {case.seed}: "
                    "review the change and update the golden",
                    where=str(case.golden),
                )
        else:
            golden = None
        checks = check_case(case, replay, golden, case.golden)
    except UserError as exc:
        return CaseResult(case, (), None, error=str(exc), duration_s=time.perf_counter() - start)
    return CaseResult(case, checks, replay, golden_written=written, duration_s=time.perf_counter() - start)


def run_suite(path: PathLikeStr, *, update: bool = False, select: Sequence[str] | None = None) -> SuiteResult:
    """Run every case of the suite at `path` (or only those named in `select`), in file order.

    Raises:
        ConfigError: the suite file is invalid (file:line), or `select` names a case it does not have.
    """
    suite = load_suite(path)
    cases = suite.cases if not select else tuple(suite.case(name) for name in select)
    return SuiteResult(suite, tuple(run_case(c, update=update) for c in cases))


def update_goldens(path: PathLikeStr, *, select: Sequence[str] | None = None) -> SuiteResult:
    """Rewrite the goldens of the suite's cases (all, or those in `select`) from the welds made now."""
    return run_suite(path, update=True, select=select)
