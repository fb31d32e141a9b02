"""weldcraft.demos."""
