"""Subcommands; importing this package registers them all."""

from weldcraft.cli.commands import run, sweep  # noqa: F401
