"""The run report: one self-contained HTML page with its PNG/GIF files (see docs/report.md).

Fill a `ReportData` from a run's stages and call ``write_report(data, out_dir) -> Path``. The page shows a
summary verdict, the policy's weld beside the master's, bead geometry and ISO 5817 level along the seam,
torch parameters policy vs master, the held-out evaluation, links to the exported programs, extra sections
and the resolved config. Inline CSS, no scripts, no external URLs; files are written atomically.
"""

from weldcraft.report.data import (
    LEVEL_KEYS,
    SCHEMA_VERSION,
    EvalStats,
    Evaluation,
    ExtraSection,
    Figure,
    Metric,
    ReportData,
    RunInfo,
    Targets,
    WeldTrace,
    level_counts_from,
    standard_torch_windows,
)
from weldcraft.report.verdict import Verdict, VerdictItem, compute_verdict, iso6520_name
from weldcraft.report.writer import REPORT_NAME, write_report

__all__ = [
    "LEVEL_KEYS",
    "REPORT_NAME",
    "SCHEMA_VERSION",
    "EvalStats",
    "Evaluation",
    "ExtraSection",
    "Figure",
    "Metric",
    "ReportData",
    "RunInfo",
    "Targets",
    "Verdict",
    "VerdictItem",
    "WeldTrace",
    "compute_verdict",
    "iso6520_name",
    "level_counts_from",
    "standard_torch_windows",
    "write_report",
]
