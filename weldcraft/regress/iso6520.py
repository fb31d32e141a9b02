"""ISO 6520-1 reference numbers and names of the imperfections weldcraft's process model reports.

A plain table (no imports) shared by the regression messages and the report. Names follow ISO 6520-1
(2007) wording; the process model's ISO 5817 row names (``undercut``, ``lack_of_fusion``) are coarser.
"""

from __future__ import annotations

ISO6520_NAMES = {
    "100": "crack",
    "2011": "gas pore / porosity",
    "401": "lack of fusion",
    "4011": "lack of side-wall fusion",
    "4021": "incomplete root penetration",
    "501": "undercut",
    "5011": "continuous undercut",
    "502": "excess weld metal",
    "503": "excessive convexity",
    "504": "excess penetration",
    "505": "incorrect weld toe",
    "510": "burn-through",
    "511": "incompletely filled groove",
    "512": "excessive asymmetry of fillet weld",
    "5213": "insufficient throat thickness",
    "5214": "excessive throat thickness",
    "617": "incorrect root gap for fillet welds",
}


def iso6520_name(code: str, fallback: str = "") -> str:
    """Name of an ISO 6520-1 code; `fallback` (or "imperfection <code>") when it is not in the table."""
    return ISO6520_NAMES.get(str(code), fallback or f"imperfection {code}")
