"""Write the example regression suite (the one shipped in the repository's ``regress/`` folder).

``python -m weldcraft.regress.example OUT_DIR`` records the nominal straight weld (zero actions: the WPS
pose on the programmed seam) on the ``fillet_pb`` and ``tiny_fillet`` presets, exports them as an ABB
RAPID module and as the JSON IR, writes ``fillet_pb.weld.yaml`` with three cases and creates the goldens
with ``update_goldens``. Run it again after a deliberate change of the cell or the process model, then
review the diff of the golden files.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from pathlib import Path

from weldcraft.export import export_program
from weldcraft.fileio import atomic_path, write_text_atomic
from weldcraft.regress.replay import record_program
from weldcraft.regress.runner import SuiteResult, update_goldens
from weldcraft.seams import load_job

log = logging.getLogger(__name__)

SUITE_NAME = "fillet_pb.weld.yaml"
SUITE_TEXT = """\
# Golden-weld regression suite shipped with weldcraft (see docs/regress.md).
# Written by `python -m weldcraft.regress.example regress/`; run with
#   weldcraft regress suite=regress/fillet_pb.weld.yaml     or     pytest regress/fillet_pb.weld.yaml
schema_version: 1
name: fillet_pb_regression
description: >
  The nominal straight weld (WPS pose on the programmed seam) recorded in the cell and exported, replayed
  on the part it was made for and on a misplaced one.
defaults:
  control_hz: 20
cases:
  - name: fillet_pb_nominal_rapid
    job: fillet_pb
    program: programs/fillet_pb_nominal.mod        # ABB RAPID module, read back by weldcraft.export
    expect:
      level: B
      quality_min: 0.80
      path_rms_max_mm: 0.10
      forbid: ["4011", "5011", "510", "2011"]       # lack of fusion, undercut, burn-through, porosity
      heat_input_kj_mm: [0.7, 1.0]
      quality_tolerance: 0.01
  - name: tiny_fillet_nominal_json
    job: tiny_fillet
    program: programs/tiny_fillet_nominal.json
    expect:
      level: B
      quality_min: 0.80
      path_rms_max_mm: 0.05
  - name: tiny_fillet_misplaced_part
    job: tiny_fillet
    seed: 7                                        # the part placed with the job's placement errors
    placement: {drift_amplitude_mm: 0.0}           # ... but without thermal drift
    program: programs/tiny_fillet_nominal.json     # the same fixed program, no seam tracking
    expect:
      level: C                                     # a misplaced part costs level B (undercut, toe angle)
      forbid: ["4011", "510"]
      path_rms_max_mm: 0.05
      quality_tolerance: 0.02
"""


def write_example_suite(out_dir: Path) -> SuiteResult:
    """Record, export and write the example suite into `out_dir`; returns the goldens' update run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    programs = out_dir / "programs"
    programs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for preset, fmt, suffix in (("fillet_pb", "rapid", ".mod"), ("tiny_fillet", "json", ".json")):
            program = record_program(load_job(preset), name=f"{preset}_nominal")
            written = export_program(program, fmt, Path(tmp) / fmt)
            main = next(p for p in written.paths if p.suffix == suffix)
            with atomic_path(programs / f"{preset}_nominal{suffix}") as dst:
                shutil.copyfile(main, dst)
    write_text_atomic(out_dir / SUITE_NAME, SUITE_TEXT)
    return update_goldens(out_dir / SUITE_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the suite into (e.g. regress/)")
    args = parser.parse_args(argv)
    result = write_example_suite(args.out_dir)
    print(result.summary())  # noqa: T201  (a command-line entry point)
    return result.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
