"""Subcommands; importing this package registers them all."""

from weldcraft.cli.commands import sweep  # noqa: F401
