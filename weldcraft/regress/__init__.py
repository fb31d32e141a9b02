"""Golden-weld regression tests: replay programs (or run checkpoints) in the cell, check the weld.

A suite file (``*.weld.yaml``, see `weldcraft.regress.suite`) lists cases: a part (WeldJob preset or
file, seed, placement overrides), what welds it (an exported program or a policy checkpoint) and
expectations (ISO 5817 level, quality, TCP path RMS against a golden file, forbidden ISO 6520 codes, heat
input). ``run_suite(path)`` runs it; ``update_goldens(path)`` rewrites the goldens; the pytest plugin
(`weldcraft.regress.pytest_plugin`) collects each case as a test. See docs/regress.md.

Importing this package is cheap (the pytest plugin loads it in every pytest run): the names below are
imported on first use, and only then pybullet and the cell.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weldcraft.regress.checks import Check
    from weldcraft.regress.episode import EpisodeResult, write_gif
    from weldcraft.regress.golden import Golden, load_golden, save_golden
    from weldcraft.regress.replay import record_program, replay_program, run_actions
    from weldcraft.regress.runner import CaseResult, SuiteResult, run_case, run_suite, update_goldens
    from weldcraft.regress.suite import CaseSpec, Expectations, SuiteSpec, load_suite

_LAZY = {
    "Check": "checks",
    "Golden": "golden",
    "load_golden": "golden",
    "save_golden": "golden",
    "EpisodeResult": "episode",
    "write_gif": "episode",
    "record_program": "replay",
    "replay_program": "replay",
    "run_actions": "replay",
    "CaseResult": "runner",
    "SuiteResult": "runner",
    "run_case": "runner",
    "run_suite": "runner",
    "update_goldens": "runner",
    "CaseSpec": "suite",
    "Expectations": "suite",
    "SuiteSpec": "suite",
    "load_suite": "suite",
}
__all__ = [
    "CaseResult",
    "CaseSpec",
    "Check",
    "Expectations",
    "Golden",
    "EpisodeResult",
    "SuiteResult",
    "SuiteSpec",
    "load_golden",
    "load_suite",
    "record_program",
    "replay_program",
    "run_actions",
    "run_case",
    "run_suite",
    "save_golden",
    "update_goldens",
    "write_gif",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'weldcraft.regress' has no attribute {name!r}")
    return getattr(importlib.import_module(f"weldcraft.regress.{module}"), name)
