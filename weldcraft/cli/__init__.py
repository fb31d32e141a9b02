"""weldcraft.cli."""
