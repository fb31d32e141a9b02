"""The Craftsman: a scripted welder with skill levels, styles and human motor noise (privileged seam truth)."""
