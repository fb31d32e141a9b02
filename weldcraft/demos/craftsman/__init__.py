"""The Craftsman: a scripted welder with skills, styles and human motor noise (sees the true seam)."""
