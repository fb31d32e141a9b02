"""Output formats; importing this package registers every exporter in `EXPORTERS`."""

from weldcraft.export.formats import fanuc, krl, rapid, ros2, tabular, urscript  # noqa: F401
from weldcraft.export.formats.base import EXPORTERS, EmitJob, Exporter

__all__ = ["EXPORTERS", "EmitJob", "Exporter"]
