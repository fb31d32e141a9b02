"""User-facing errors.

A `UserError` is a mistake in the user's input (a config value, a file, a CLI argument). The CLI turns it
into one line on stderr and exit code 2; anything else is a bug and exits with code 1.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: says what was wrong, where, and what was expected.

    `where` is a location such as ``"part.yaml:12"``, ``"part.yaml:12 key 'joint.thickness_mm'"`` or a config
    key; it is prefixed to the message so that one line tells the whole story.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(UserError):
    """A config file or override is invalid (unknown key, wrong type, value out of range)."""


class DataError(UserError):
    """A data file (recording, dataset, program, golden file) is malformed."""
