"""Subcommands; importing this package registers them all."""

from weldcraft.cli.commands import learn, run, sweep  # noqa: F401
