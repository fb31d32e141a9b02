"""Gymnasium registrations of the weldcraft env ids (string entry points, lazy imports)."""

from __future__ import annotations

# Env ids are added here by weldcraft.envs as they land; see weldcraft/envs/__init__.py.
