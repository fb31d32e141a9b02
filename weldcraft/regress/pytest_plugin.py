"""pytest plugin: ``pytest path/to/suite.weld.yaml`` collects each case of a weld regression suite.

Registered through the ``pytest11`` entry point (``weldcraft_regress = "weldcraft.regress.pytest_plugin"``)
or loaded explicitly with ``pytest -p weldcraft.regress.pytest_plugin``. Every ``*.weld.yaml`` file pytest
is pointed at (or finds under its test paths) becomes a collector; each case an item named after it. A
failing case reports its one-line message (which expectation, what came out, the imperfection with its
ISO 6520 code, size, position and ISO 5817 limit) and one line per failed check, without a traceback.

Option ``--weld-update-goldens`` rewrites the goldens from the welds made now instead of comparing.
This module imports nothing heavy: the cell is loaded when the first case runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from weldcraft.errors import UserError
from weldcraft.regress.suite import SUITE_SUFFIX, CaseSpec, load_suite

UPDATE_OPTION = "--weld-update-goldens"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("weldcraft", "weldcraft weld regression suites (*.weld.yaml)")
    group.addoption(
        UPDATE_OPTION,
        action="store_true",
        default=False,
        dest="weld_update_goldens",
        help="rewrite each case's golden file from the weld it makes now instead of comparing with it",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUITE_SUFFIX):
        return WeldSuiteFile.from_parent(parent, path=file_path)
    return None


class WeldCaseFailed(Exception):
    """Raised by a failing case; carries the readable message."""

    def __init__(self, message: str, details: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class WeldSuiteFile(pytest.File):
    """A suite file: one item per case (an invalid file is a collection error with its file:line)."""

    def collect(self) -> Iterator[pytest.Item]:
        suite = load_suite(self.path)
        for case in suite.cases:
            yield WeldCaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, UserError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class WeldCaseItem(pytest.Item):
    """One case of a suite, welded in the cell when run."""

    def __init__(self, *, case: CaseSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from weldcraft.regress.runner import run_case

        result = run_case(self.case, update=bool(self.config.getoption("weld_update_goldens")))
        self.user_properties.append(("weld", result.message))
        if not result.passed:
            raise WeldCaseFailed(result.message, [c.message for c in result.failures])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, WeldCaseFailed):
            lines = [excinfo.value.message]
            if len(excinfo.value.details) > 1:
                lines += [f"  - {d}" for d in excinfo.value.details]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        line = int(self.case.where.rsplit(":", 1)[1]) - 1 if ":" in self.case.where else 0
        return self.path, line, f"weld case {self.case.name}"
