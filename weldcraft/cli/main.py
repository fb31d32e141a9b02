"""Entry point of the `weldcraft` command: dispatches to the subcommands registered in `app.COMMANDS`.

Usage: ``weldcraft [--help|--version] COMMAND [SUBCOMMAND] [key=value ...] [--help]``.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Sequence

from weldcraft.cli import app
from weldcraft.errors import UserError


def _load_commands() -> None:
    from weldcraft.cli import commands  # noqa: F401  (registers every subcommand)


def _usage() -> str:
    from weldcraft import __version__

    lines = [
        f"weldcraft {__version__}: teach industrial robots the craft of master welders.",
        "",
        "usage: weldcraft COMMAND [key=value ...]",
        "       (Hydra overrides; `weldcraft COMMAND --help` shows the command's config)",
        "",
        "commands:",
    ]
    for name in app.COMMANDS.names():
        lines.append(f"  {name:<18} {app.COMMANDS.get(name).summary}")
    lines += ["", "exit codes: 0 success, 2 bad input or config (one-line message), 1 anything else"]
    return "\n".join(lines)


def _split(argv: Sequence[str]) -> tuple[app.Command | None, list[str], bool]:
    """Find the longest registered command name at the start of argv; the rest are overrides."""
    words = [a for a in argv if not a.startswith("-") and "=" not in a]
    help_flag = any(a in ("-h", "--help") for a in argv)
    for n in (2, 1):
        name = " ".join(words[:n])
        if len(words) >= n and name in app.COMMANDS:
            rest = list(argv)
            for w in words[:n]:
                rest.remove(w)
            return app.COMMANDS.get(name), [a for a in rest if a not in ("-h", "--help")], help_flag
    if words:
        app.COMMANDS.get(" ".join(words[:1]))  # raises UserError naming the choices
    return None, [], help_flag


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used as the console script's exit status)."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=os.environ.get("WELDCRAFT_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        _load_commands()
        if args and args[0] == "--version":
            from weldcraft import __version__

            print(f"weldcraft {__version__}")
            return app.EXIT_OK
        cmd, overrides, help_flag = _split(args)
        if cmd is None:
            print(_usage())
            return app.EXIT_OK if (help_flag or not args) else app.EXIT_USER_ERROR
        if help_flag:
            from omegaconf import OmegaConf

            cfg = app.compose_config(cmd, overrides)
            print(f"weldcraft {cmd.name}: {cmd.summary}\n\nconfig (override any key with key=value):\n")
            print(OmegaConf.to_yaml(cfg))
            return app.EXIT_OK
        return app.run_command(cmd, overrides)
    except UserError as exc:
        if os.environ.get("WELDCRAFT_DEBUG"):
            traceback.print_exc()
        app.print_error(exc)
        return app.EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("weldcraft: interrupted", file=sys.stderr)
        return 130


def console_main() -> None:
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `weldcraft ... --help | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    console_main()
