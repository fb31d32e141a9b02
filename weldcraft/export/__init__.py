"""weldcraft.export."""
