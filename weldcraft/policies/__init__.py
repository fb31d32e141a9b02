"""weldcraft.policies."""
