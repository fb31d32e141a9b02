"""weldcraft: teach industrial robots the craft of master welders.

Importing the package registers the Gymnasium env ids with string entry points; nothing heavy
(pybullet, torch) is imported here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from weldcraft import _registration  # noqa: F401,E402  (registers env ids)
