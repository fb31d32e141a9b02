"""Honest evaluation: a policy and the demonstrator on the same held-out seeds, side by side.

`evaluate` runs a checkpoint's policy (deterministic mean action) and `evaluate_oracle` runs an oracle (the
Craftsman) through the same rollout code, on the same seeds, which must be held-out seeds (≥ 10,000,000,
see `weldcraft.policies.seeds`); the default set for N episodes is ``held_out_seeds(N)``. `compare` puts the
two summaries side by side with the ratios the acceptance criteria use; `write_report` writes
``eval.json`` (schema-versioned) and ``eval.md``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import UserError
from weldcraft.fileio import write_text_atomic
from weldcraft.policies.actors import OracleActor, PolicyActor
from weldcraft.policies.checkpoint import PolicyCheckpoint, load_checkpoint
from weldcraft.policies.metrics import (
    LEVELS,
    EpisodeOutcome,
    EvalSummary,
    MetricKeys,
    episode_outcome,
    json_safe,
    summarize,
)
from weldcraft.policies.rollout import EnvFactory, EpisodeRollout, ensure_registered, run_episodes
from weldcraft.policies.seeds import SeedSchedule, Split, check_seeds, held_out_seeds
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)

REPORT_SCHEMA_VERSION = 1
DEFAULT_KEYS = MetricKeys()


@dataclass(frozen=True)
class EvalResult:
    """Per-episode outcomes and their summary for one evaluated agent."""

    summary: EvalSummary
    outcomes: list[EpisodeOutcome]
    env_id: str
    env_kwargs: dict[str, Any]


def control_dt_s(env_id: str, env_kwargs: dict[str, Any]) -> float:
    """The env's control period (s): ``env.unwrapped.dt`` if defined, else 1 / metadata["render_fps"]."""
    import gymnasium as gym

    ensure_registered()
    env = gym.make(env_id, **env_kwargs)
    try:
        dt = getattr(env.unwrapped, "dt", None)
        if dt is None:
            fps = env.metadata.get("render_fps")
            if not fps:
                raise UserError(f"env {env_id!r} has neither .dt nor metadata['render_fps']; pass dt_s")
            dt = 1.0 / float(fps)
        return float(dt)
    finally:
        env.close()


def _resolve_seeds(seeds: Sequence[int] | None, episodes: int, split: Split) -> list[int]:
    if seeds is None:
        if split != "held_out":
            raise UserError("explicit seeds are required outside the held-out split")
        return held_out_seeds(episodes)
    return check_seeds(seeds, split, where="evaluation seeds")


def _check_keys(rollouts: list[EpisodeRollout], keys: MetricKeys, env_id: str) -> None:
    if rollouts and all(np.all(np.isnan(r.step_info[keys.lateral_offset_mm])) for r in rollouts):
        log.warning(
            "env %s reports no per-step info[%r]: seam tracking and weave cannot be measured "
            "(set MetricKeys.lateral_offset_mm to the env's key)",
            env_id,
            keys.lateral_offset_mm,
        )


def _outcomes(
    rollouts: list[EpisodeRollout], keys: MetricKeys, dt_s: float, min_weave_width_mm: float
) -> list[EpisodeOutcome]:
    return [
        episode_outcome(
            r.seed,
            r.rewards,
            r.weld,
            r.step_info[keys.lateral_offset_mm],
            dt_s,
            min_weave_width_mm=min_weave_width_mm,
        )
        for r in rollouts
    ]


def evaluate(
    policy: PolicyCheckpoint | PathLikeStr,
    *,
    seeds: Sequence[int] | None = None,
    episodes: int = 100,
    env_id: str | None = None,
    env_kwargs: dict[str, Any] | None = None,
    n_envs: int = 1,
    keys: MetricKeys = DEFAULT_KEYS,
    dt_s: float | None = None,
    min_weave_width_mm: float = 0.3,
    split: Split = "held_out",
    label: str = "policy",
) -> EvalResult:
    """Evaluate a checkpoint (object or directory) on `seeds` (default: the first `episodes` held-out seeds).

    `env_id`/`env_kwargs` default to the checkpoint's. Rollouts run in `n_envs` worker processes
    (SubprocVecEnv) when n_envs > 1. Per-step ``info[keys.lateral_offset_mm]`` feeds tracking and weave.
    """
    ckpt = policy if isinstance(policy, PolicyCheckpoint) else load_checkpoint(policy)
    seed_list = _resolve_seeds(seeds, episodes, split)
    env_id = env_id or ckpt.env_id
    kwargs = dict(ckpt.env_kwargs if env_kwargs is None else env_kwargs)
    factory = EnvFactory(env_id, kwargs, ckpt.history_frames, SeedSchedule(split, (seed_list[0],)))
    rollouts = run_episodes(
        factory,
        PolicyActor(ckpt.policy),
        seed_list,
        n_envs=n_envs,
        info_keys=[keys.lateral_offset_mm],
        record_observations=False,
    )
    dt = dt_s if dt_s is not None else control_dt_s(env_id, kwargs)
    _check_keys(rollouts, keys, env_id)
    outcomes = _outcomes(rollouts, keys, dt, min_weave_width_mm)
    return EvalResult(summarize(label, outcomes), outcomes, env_id, kwargs)


def evaluate_oracle(
    oracle: str,
    env_id: str,
    *,
    env_kwargs: dict[str, Any] | None = None,
    oracle_kwargs: dict[str, Any] | None = None,
    seeds: Sequence[int] | None = None,
    episodes: int = 100,
    n_envs: int = 1,
    keys: MetricKeys = DEFAULT_KEYS,
    dt_s: float | None = None,
    min_weave_width_mm: float = 0.3,
    split: Split = "held_out",
    label: str = "demonstrator",
) -> EvalResult:
    """Evaluate the registered oracle `oracle` (e.g. the Craftsman) exactly as `evaluate` does a policy."""
    seed_list = _resolve_seeds(seeds, episodes, split)
    kwargs = dict(env_kwargs or {})
    factory = EnvFactory(
        env_id,
        kwargs,
        1,
        SeedSchedule(split, (seed_list[0],)),
        oracle=oracle,
        oracle_kwargs=dict(oracle_kwargs or {}),
    )
    rollouts = run_episodes(
        factory,
        OracleActor(),
        seed_list,
        n_envs=n_envs,
        info_keys=[keys.lateral_offset_mm],
        record_observations=False,
    )
    dt = dt_s if dt_s is not None else control_dt_s(env_id, kwargs)
    _check_keys(rollouts, keys, env_id)
    outcomes = _outcomes(rollouts, keys, dt, min_weave_width_mm)
    return EvalResult(summarize(label, outcomes), outcomes, env_id, kwargs)


def compare(policy: EvalSummary, reference: EvalSummary) -> dict[str, Any]:
    """Ratios of `policy` to `reference` (same seeds required) and the acceptance checks of issue 5."""
    if policy.seeds != reference.seeds:
        raise UserError("side-by-side evaluation needs the same seeds for policy and demonstrator")

    def rel_err(a: float, b: float) -> float:
        return abs(a - b) / abs(b) if math.isfinite(a) and math.isfinite(b) and b != 0 else math.nan

    quality_ratio = policy.mean_quality / reference.mean_quality if reference.mean_quality > 0 else math.nan
    freq_err = rel_err(policy.weave_frequency_hz, reference.weave_frequency_hz)
    return {
        "quality_ratio": quality_ratio,
        "weave_frequency_rel_error": freq_err,
        "weave_width_rel_error": rel_err(policy.weave_width_mm, reference.weave_width_mm),
        "pass_rate_c_difference": policy.pass_rate_c - reference.pass_rate_c,
        "checks": {
            "quality_at_least_0.9x_reference": bool(quality_ratio >= 0.9),
            "level_c_or_better_on_90pct": bool(policy.pass_rate_c >= 0.9),
            "weave_frequency_within_15pct": bool(freq_err <= 0.15) if math.isfinite(freq_err) else False,
            "pass_rate_c_at_least_reference": bool(policy.pass_rate_c >= reference.pass_rate_c),
        },
    }


def _fmt(value: float, spec: str = ".3f") -> str:
    return "—" if value is None or not math.isfinite(value) else format(value, spec)


def markdown_table(summaries: Sequence[EvalSummary]) -> str:
    """A Markdown table with one column per summary (policy and demonstrator side by side)."""
    rows: list[tuple[str, list[str]]] = [
        ("episodes (held-out seeds)", [str(s.episodes) for s in summaries]),
        ("mean quality score", [f"{_fmt(s.mean_quality)} ± {_fmt(s.std_quality)}" for s in summaries]),
        (
            "ISO 5817 B / C / D / none",
            [" / ".join(str(s.level_counts[lv]) for lv in LEVELS) for s in summaries],
        ),
        ("pass rate at level C", [f"{100 * s.pass_rate_c:.0f} %" for s in summaries]),
        ("pass rate at level B", [f"{100 * s.pass_rate_b:.0f} %" for s in summaries]),
        ("completion rate", [f"{100 * s.completion_rate:.0f} %" for s in summaries]),
        ("seam-tracking RMS (mm)", [_fmt(s.tracking_rms_mm) for s in summaries]),
        ("episodes with weave", [f"{100 * s.weave_fraction:.0f} %" for s in summaries]),
        ("weave frequency (Hz)", [_fmt(s.weave_frequency_hz, ".2f") for s in summaries]),
        ("weave width (mm)", [_fmt(s.weave_width_mm, ".2f") for s in summaries]),
        ("heat input (kJ/mm)", [_fmt(s.mean_heat_input_kj_mm) for s in summaries]),
    ]
    codes = sorted({c for s in summaries for c in s.defects_per_weld})
    for code in codes:
        rows.append(
            (f"ISO 6520 {code} per weld", [_fmt(s.defects_per_weld.get(code, 0.0), ".2f") for s in summaries])
        )
    header = "| metric | " + " | ".join(s.label for s in summaries) + " |"
    sep = "|---|" + "---:|" * len(summaries)
    return "\n".join([header, sep, *(f"| {name} | " + " | ".join(vals) + " |" for name, vals in rows)]) + "\n"


def write_report(
    out_dir: PathLikeStr, results: Sequence[EvalResult], *, meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write ``eval.json`` and ``eval.md`` into `out_dir` (atomically); returns the JSON document.

    With two results the second is the reference (the demonstrator) and the comparison is included.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "env": {"id": results[0].env_id, "kwargs": results[0].env_kwargs},
        "summaries": [r.summary.as_dict() for r in results],
        "episodes": {r.summary.label: [json_safe(o.__dict__) for o in r.outcomes] for r in results},
        **({"meta": meta} if meta else {}),
    }
    md = markdown_table([r.summary for r in results])
    if len(results) == 2:
        doc["comparison"] = json_safe(compare(results[0].summary, results[1].summary))
        checks = doc["comparison"]["checks"]
        md += "\n" + "\n".join(f"- {name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()) + "\n"
    write_text_atomic(out / "eval.json", json.dumps(doc, indent=2, sort_keys=False))
    write_text_atomic(out / "eval.md", md)
    return doc


def evaluate_side_by_side(
    checkpoint: PolicyCheckpoint | PathLikeStr,
    *,
    oracle: str | None,
    oracle_kwargs: dict[str, Any] | None = None,
    episodes: int = 100,
    seeds: Sequence[int] | None = None,
    env_kwargs: dict[str, Any] | None = None,
    n_envs: int = 1,
    keys: MetricKeys = DEFAULT_KEYS,
    out_dir: PathLikeStr | None = None,
) -> dict[str, Any]:
    """``weldcraft evaluate``: the policy, then the demonstrator `oracle` on the same held-out seeds.

    Writes ``eval.json`` and ``eval.md`` into `out_dir` when given; returns the JSON document.
    """
    ckpt = checkpoint if isinstance(checkpoint, PolicyCheckpoint) else load_checkpoint(checkpoint)
    results = [
        evaluate(ckpt, seeds=seeds, episodes=episodes, env_kwargs=env_kwargs, n_envs=n_envs, keys=keys)
    ]
    if oracle is not None:
        results.append(
            evaluate_oracle(
                oracle,
                results[0].env_id,
                env_kwargs=results[0].env_kwargs,
                oracle_kwargs=oracle_kwargs,
                seeds=results[0].summary.seeds,
                n_envs=n_envs,
                keys=keys,
            )
        )
    meta = {
        "checkpoint": str(ckpt.path) if ckpt.path else None,
        "policy_name": ckpt.policy_name,
        "dataset": None
        if ckpt.dataset is None
        else {"id": ckpt.dataset.dataset_id, "sha256": ckpt.dataset.sha256},
        "oracle": oracle,
        "oracle_kwargs": oracle_kwargs or {},
    }
    if out_dir is not None:
        return write_report(out_dir, results, meta=meta)
    doc: dict[str, Any] = {"summaries": [r.summary.as_dict() for r in results], "meta": meta}
    if len(results) == 2:
        doc["comparison"] = json_safe(compare(results[0].summary, results[1].summary))
    return doc
