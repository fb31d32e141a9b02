"""`weldcraft run`: the main job on embedded defaults (configs/run.yaml, docs/run.md).

Five stages (`weldcraft.pipeline.runner`): record demos, train, evaluate on held-out seams, export, report.
Each stage draws a tqdm bar on stderr (only when stderr is a terminal) and prints one summary line with its
wall time on stdout; the last line names the report.
"""

from __future__ import annotations

import sys
from typing import Any

from omegaconf import DictConfig

from weldcraft.cli.app import RunContext, command
from weldcraft.pipeline.runner import STAGES

#: What each stage's bar counts (the training bar is BC's own, in epochs).
_UNITS = {"demos": "demo", "evaluate": "step", "export": "step", "report": "step"}


class _Bars:
    """`RunObserver` with one tqdm bar per stage (stderr, only on a terminal) and summary lines."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def stage_started(self, index: int, name: str, title: str) -> Any:
        from tqdm import tqdm

        self._close()
        head = f"[{index}/{len(STAGES)}] {name}"
        if not self.tty:
            print(f"{head}: {title} ...", file=sys.stderr, flush=True)
            return None

        def progress(done: int, total: int) -> None:
            if self.bar is None:  # made on first use: a stage that draws its own bar (BC epochs) has none
                unit = _UNITS.get(name, "it")
                self.bar = tqdm(
                    total=total, desc=head, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True
                )
            if self.bar.total != total:
                self.bar.total = total
            self.bar.update(done - self.bar.n)  # redraws at most every 0.1 s

        return progress

    def stage_finished(self, index: int, name: str, summary: str, seconds: float) -> None:
        self._close()
        print(f"[{index}/{len(STAGES)}] {name}: {summary} ({seconds:.1f} s)", flush=True)


@command("run", "the main job: demos -> train -> evaluate -> export -> report (no arguments needed)", "run")
def run(cfg: DictConfig, ctx: RunContext) -> None:
    from weldcraft.pipeline.runner import run_pipeline
    from weldcraft.pipeline.settings import settings_from_config

    assert ctx.out_dir is not None
    settings = settings_from_config(cfg, ctx.choices.get("policy", "policy"))
    bars = _Bars()
    try:
        result = run_pipeline(settings, ctx.out_dir, ctx.meta(), bars)
    finally:
        bars._close()
    total = sum(result.seconds.values())
    times = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
    print(f"outputs in {ctx.out_dir} ({total:.0f} s: {times}); run record {result.run_json}")
    print(f"report: {result.report}")
