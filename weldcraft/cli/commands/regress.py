"""`weldcraft regress suite=PATH [update=true] [cases=[a,b]]`: run a weld regression suite (docs/regress.md).

Prints one line per case (PASS/FAIL and its message) and the count; exits with the suite's exit code:
0 all passed, 1 an expectation failed, 2 a case or the suite file had a user error.
"""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import DictConfig

from weldcraft.cli.app import RunContext, command
from weldcraft.errors import ConfigError


@command(
    "regress",
    "run a weld regression suite (programs or checkpoints welded in the cell)",
    "regress",
    needs_out_dir=False,
)
def regress_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.fileio import write_text_atomic
    from weldcraft.regress import run_suite

    if not cfg.suite:
        raise ConfigError(
            "missing; give a suite file, e.g. suite=regress/fillet_pb.weld.yaml", where="key 'suite'"
        )
    select = [str(c) for c in cfg.cases] or None
    result = run_suite(str(cfg.suite), update=bool(cfg["update"]), select=select)
    print(result.summary())
    if cfg["update"]:
        for case in result.cases:
            if case.golden_written is not None:
                print(f"golden written: {case.golden_written}")
    if cfg.out:
        doc = result.to_dict() | {"exit_code": result.exit_code} | ctx.meta()
        write_text_atomic(Path(str(cfg.out)) / "regress.json", json.dumps(doc, indent=1, default=str) + "\n")
    return result.exit_code
