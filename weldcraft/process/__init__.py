"""weldcraft.process."""
