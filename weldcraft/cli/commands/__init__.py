"""Subcommands; importing this package registers them all."""
