"""The command framework: one Hydra-composed config per subcommand, uniform errors and output folders.

Every subcommand is a `Command` registered in `COMMANDS`. Its config is composed with Hydra's compose API
from `configs/<config_name>.yaml` (which extends a dataclass schema, so an unknown key or a wrong type is
an error) plus the user's `key=value` overrides. A `UserError` or a Hydra/OmegaConf composition error
becomes one line on stderr and exit code 2; any other exception is a bug (exit code 1).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict

from weldcraft.errors import UserError
from weldcraft.fileio import write_text_atomic
from weldcraft.registry import Registry

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER_ERROR = 2


@dataclass(frozen=True)
class Command:
    """A subcommand: `name` as typed ("demos record"), its config file and the function that runs it.

    `run(cfg, ctx)` receives the composed, validated config and a `RunContext`; it returns nothing or an
    exit code, raises `UserError` for bad input, and prints its own user-facing summary.
    """

    name: str
    summary: str
    config_name: str
    run: Callable[[DictConfig, RunContext], int | None]
    needs_out_dir: bool = True


COMMANDS: Registry[Command] = Registry("command")


def command(name: str, summary: str, config_name: str, *, needs_out_dir: bool = True) -> Callable[[Any], Any]:
    """Register a subcommand function under `name` (decorator returning the function)."""

    def decorator(
        func: Callable[[DictConfig, RunContext], int | None],
    ) -> Callable[[DictConfig, RunContext], int | None]:
        COMMANDS.register(name)(Command(name, summary, config_name, func, needs_out_dir))
        return func

    return decorator


def configs_dir() -> Path:
    """The folder holding the Hydra YAML (inside the installed package, or the repo's `configs/`)."""
    path = Path(str(resources.files("weldcraft") / "configs"))
    if not path.is_dir():
        raise RuntimeError(f"weldcraft's configs folder is missing at {path}; the installation is broken")
    return path


@dataclass(frozen=True)
class RunContext:
    """Where a command writes, and the resolved config that every artifact carries."""

    out_dir: Path | None
    config: dict[str, Any]
    config_hash: str
    choices: dict[str, str] = field(default_factory=dict)

    def meta(self) -> dict[str, Any]:
        """Provenance to embed in artifacts: package version, command config and its hash."""
        from weldcraft import __version__

        return {"weldcraft_version": __version__, "config": self.config, "config_hash": self.config_hash}


def config_hash(config: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a resolved config (first 16 hex digits)."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def compose_config(cmd: Command, overrides: Sequence[str]) -> DictConfig:
    """Compose and validate the config of `cmd` with `overrides`; errors become `UserError`."""
    return compose_with_choices(cmd, overrides)[0]


def compose_with_choices(cmd: Command, overrides: Sequence[str]) -> tuple[DictConfig, dict[str, str]]:
    """The composed config and the chosen option of every config group (e.g. {"policy": "bc_history"})."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from weldcraft.cli import schemas

    schemas.register_all()
    from weldcraft.cli.jobs import rewrite_seam_override

    for item in overrides:
        if "=" not in item:
            raise UserError(f"expected key=value, got {item!r}", where="command line")
    overrides = [rewrite_seam_override(item) for item in overrides]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(configs_dir()), version_base="1.3", job_name="weldcraft"):
            cfg = compose(config_name=cmd.config_name, overrides=list(overrides), return_hydra_config=True)
        choices = {str(k): str(v) for k, v in cfg.hydra.runtime.choices.items() if v is not None}
        with open_dict(cfg):
            del cfg["hydra"]
        OmegaConf.resolve(cfg)
    except (HydraException, OmegaConfBaseException) as exc:
        raise UserError(_one_line(exc), where="config") from exc
    return cfg, {k: v for k, v in choices.items() if not k.startswith("hydra")}


def _one_line(exc: BaseException) -> str:
    """Hydra's and OmegaConf's messages span lines (with 'full_key', search paths); keep what matters."""
    text = str(exc).strip()
    unknown = re.search(r"Could not override '([^']+)'", text)
    if unknown:
        return f"unknown key {unknown.group(1)!r} (`weldcraft COMMAND --help` lists the valid keys)"
    text = text.split("Config search path")[0]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    keep = [
        ln
        for ln in lines
        if not ln.startswith(("object_type=", "reference_type=", "child_node=", "full_key:"))
        and not ln.endswith("_schema")
    ]
    cause = exc.__cause__
    if cause is not None:
        first = str(cause).strip().splitlines()
        if first:
            keep.append(first[0])
    return "; ".join(keep).replace(":;", ":") or type(exc).__name__


def make_out_dir(cfg: DictConfig) -> Path:
    """`cfg.out` / `cfg.out_dir` if given, else `outputs/<date>/<time>/` under the current directory."""
    given = cfg.get("out") or cfg.get("out_dir")
    if given:
        out = Path(str(given))
    else:
        now = _dt.datetime.now()
        out = Path("outputs") / now.strftime("%Y-%m-%d") / now.strftime("%H-%M-%S")
    out.mkdir(parents=True, exist_ok=True)
    return out


def run_command(cmd: Command, overrides: Sequence[str]) -> int:
    """Compose the config, prepare the output folder and run `cmd`; map errors to exit codes."""
    cfg, choices = compose_with_choices(cmd, overrides)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(resolved, dict)
    config = {str(k): v for k, v in resolved.items()}
    chash = config_hash(config)
    out_dir = make_out_dir(cfg) if cmd.needs_out_dir else None
    if out_dir is not None:
        write_text_atomic(out_dir / "config.yaml", OmegaConf.to_yaml(cfg) + f"# config_hash: {chash}\n")
    ctx = RunContext(out_dir=out_dir, config=config, config_hash=chash, choices=choices)
    code = cmd.run(cfg, ctx)
    return EXIT_OK if code is None else int(code)


def print_error(exc: UserError) -> None:
    print(f"weldcraft: error: {exc}", file=sys.stderr)
