"""Subcommands; importing this package registers them all."""

import weldcraft.demos.cli_commands  # noqa: F401
from weldcraft.cli.commands import export, learn, regress, replay, run, sweep  # noqa: F401
