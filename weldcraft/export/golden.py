"""Golden files of the emitters: ``python -m weldcraft.export.golden --check | --update``.

The golden input is ``tests/export/golden/program.json`` (a WeldProgram IR document made once by
`weldcraft.export.sample.sample_program` with a zigzag weave; ``--regenerate-program`` rewrites it). Every
format's text output for it lies in ``tests/export/golden/<format>/``; binary files (the ROS 2 .mcap) are
not kept as goldens — their content is checked by decoding them in the tests.

``--check`` exits with 1 and names the files that differ; ``--update`` rewrites them after a deliberate
change of an emitter (review the diff before committing).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from weldcraft.export.ir_json import load_program_json, save_program_json
from weldcraft.export.pipeline import export_program
from weldcraft.export.program import WeldProgram
from weldcraft.export.records import WeaveData
from weldcraft.export.sample import sample_program

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "tests" / "export" / "golden"
FORMATS = ("csv", "fanuc", "json", "krl", "rapid", "ros2", "urscript")
GOLDEN_NAME = "fillet_pb"
log = logging.getLogger(__name__)


def golden_program() -> WeldProgram:
    """The program the golden files are made from: a 20 mm PB fillet with a 3 mm, 1.5 Hz zigzag weave
    (0.1 s dwells at the toes), sampled at 25 Hz."""
    weave = WeaveData("zigzag", 3.0, 1.5, 0.1, 0.0, 0.1)
    return sample_program(weave=weave, weld_length_mm=20.0, rate_hz=25.0, name=GOLDEN_NAME)


def golden_outputs(program: WeldProgram) -> dict[str, str]:
    """Every format's text files for `program`, keyed '<format>/<relative path>'."""
    out: dict[str, str] = {}
    for fmt in FORMATS:
        with tempfile.TemporaryDirectory(prefix="weldcraft-golden-") as tmp:
            result = export_program(program, fmt, tmp)
            for path in result.paths:
                if path.suffix == ".mcap":
                    continue
                rel = path.relative_to(tmp).as_posix()
                out[f"{fmt}/{rel}"] = path.read_text(encoding="utf-8")
    return out


def compare(golden_dir: Path = GOLDEN_DIR) -> list[str]:
    """Names of golden files that are missing, differ or are no longer produced."""
    produced = golden_outputs(load_program_json(golden_dir / "program.json"))
    bad = [
        k
        for k, text in produced.items()
        if not (golden_dir / k).is_file() or (golden_dir / k).read_text(encoding="utf-8") != text
    ]
    existing = {
        p.relative_to(golden_dir).as_posix()
        for f in FORMATS
        for p in (golden_dir / f).rglob("*")
        if p.is_file()
    }
    bad += sorted(existing - set(produced))
    return bad


def update(golden_dir: Path = GOLDEN_DIR, regenerate_program: bool = False) -> list[Path]:
    """Rewrite the golden outputs (and with `regenerate_program` the input program) under `golden_dir`."""
    from weldcraft.export.writer import write_files_atomic

    if regenerate_program or not (golden_dir / "program.json").is_file():
        save_program_json(golden_program(), golden_dir / "program.json")
    produced = golden_outputs(load_program_json(golden_dir / "program.json"))
    for f in FORMATS:
        for p in (golden_dir / f).rglob("*"):
            if p.is_file() and p.relative_to(golden_dir).as_posix() not in produced:
                p.unlink()
    return write_files_atomic(golden_dir, produced)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m weldcraft.export.golden", description=__doc__.splitlines()[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check", action="store_true", help="compare the emitters' output with the golden files"
    )
    mode.add_argument("--update", action="store_true", help="rewrite the golden files")
    parser.add_argument(
        "--regenerate-program", action="store_true", help="with --update: also rewrite program.json"
    )
    parser.add_argument(
        "--dir", type=Path, default=GOLDEN_DIR, help=f"golden directory (default {GOLDEN_DIR})"
    )
    args = parser.parse_args(argv)
    if args.update:
        paths = update(args.dir, args.regenerate_program)
        sys.stdout.write(f"wrote {len(paths)} golden file(s) under {args.dir}\n")
        return 0
    bad = compare(args.dir)
    if bad:
        sys.stdout.write("golden files differ: " + ", ".join(bad) + "\n")
        return 1
    sys.stdout.write("golden files match\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
