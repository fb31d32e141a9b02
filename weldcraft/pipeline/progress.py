"""How the pipeline's stages report progress and time (library code never prints; the CLI draws bars).

A stage function takes ``progress: ProgressFn | None`` and calls ``progress(done, total)`` as work
advances (units are the stage's own: demonstrations, epochs, control steps, formats). `StageTimer` measures
the wall time of each stage; `datasets_root_at` points Minari at the run's own datasets folder.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ProgressFn = Callable[[int, int], None]
"""``progress(done, total)``: `done` units of `total` finished (total may be an estimate)."""


def report(progress: ProgressFn | None, done: int, total: int) -> None:
    """Call `progress` if there is one."""
    if progress is not None:
        progress(done, total)


@dataclass
class StageTimer:
    """Wall-clock seconds per named stage, in the order they ran (``time.perf_counter``), and the CPU
    seconds of this process in it (``time.process_time``; rollout worker processes not included)."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name` (also when it raises)."""
        start, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start
            self.cpu_seconds[name] = time.process_time() - cpu

    def as_dict(self) -> dict[str, Any]:
        """``{stage: seconds (0.1 s)}`` plus the total."""
        out: dict[str, Any] = {k: round(v, 1) for k, v in self.seconds.items()}
        out["total"] = round(sum(self.seconds.values()), 1)
        return out


@contextlib.contextmanager
def datasets_root_at(path: Path) -> Iterator[Path]:
    """Set ``MINARI_DATASETS_PATH`` to `path` for the block (restored after), so that a run's datasets
    live in its own output folder: never in ``~/.minari``, never colliding with another run's."""
    path.mkdir(parents=True, exist_ok=True)
    old = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(path.resolve())
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("MINARI_DATASETS_PATH", None)
        else:
            os.environ["MINARI_DATASETS_PATH"] = old


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with `n` torch intra-op threads (restored after).

    Measured on the shared 2-core machine: BC on the 50-demo FilletPB data, 23,000 samples/s with 1 thread
    vs 2,000-3,600 with 2 (OpenMP threads spinning against busy cores); 6 evaluation episodes 7.1 s vs
    9.2 s (one observation per step: a second thread only adds hand-over cost).
    """
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)
