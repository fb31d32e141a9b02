"""weldcraft.regress."""
