"""weldcraft.envs."""
