"""Per-cell export templates: YAML files the user edits, one per format, loaded into frozen dataclasses.

Arc-welding data differ between controllers, software versions and welding equipment (the reference marks
the meaning of RAPID welddata/seamdata fields and KUKA ArcTech structures as equipment-dependent), so the
text of those declarations comes from the template. Placeholders are written ``{{name}}`` (double braces,
because KRL aggregates use single braces); `fill` replaces them with fixed-point numbers and `template_regex`
turns a template back into a regular expression so that the readers parse what the template wrote.

Shipped defaults: ``configs/export/templates/<format>.yaml`` (see docs/export.md, "Templates").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

from weldcraft.errors import ConfigError
from weldcraft.types import PathLikeStr

T = TypeVar("T")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
NUMBER_RE = r"-?\d+(?:\.\d+)?"


def template_dirs() -> list[Path]:
    """Where default templates are looked up: the source tree's configs/, then configs in the package."""
    here = Path(__file__).resolve()
    return [
        here.parents[2] / "configs" / "export" / "templates",
        here.parents[1] / "configs" / "export" / "templates",
    ]


def default_template_path(fmt: str) -> Path:
    for d in template_dirs():
        p = d / f"{fmt}.yaml"
        if p.is_file():
            return p
    raise ConfigError(
        f"no default export template for format {fmt!r}; "
        f"looked in {', '.join(str(d) for d in template_dirs())}"
    )


def _check_type(name: str, value: Any, default: Any, where: str) -> Any:
    if default is None or value is None:
        return value
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, tuple):
        ok = isinstance(value, (list, tuple))
        value = tuple(value) if ok else value
    elif isinstance(default, Mapping):
        ok = isinstance(value, Mapping)
        value = dict(value) if ok else value
    else:
        ok = True
    if not ok:
        raise ConfigError(f"key '{name}' must be a {type(default).__name__}, got {value!r}", where=where)
    return value


def template_from_mapping(cls: type[T], data: Mapping[str, Any], where: str) -> T:
    """Build template dataclass `cls` from a mapping; unknown keys and wrong types are ConfigErrors."""
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(known))}", where=where
        )
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        f = known[name]
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = None
        kwargs[name] = _check_type(name, value, default, where)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc), where=where) from None


def load_template(cls: type[T], fmt: str, path: PathLikeStr | None = None) -> T:
    """Load the template for `fmt` from `path` (or the shipped default), as dataclass `cls`."""
    p = Path(path) if path is not None else default_template_path(fmt)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read export template: {exc.strerror}", where=str(p)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark is not None else str(p)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", where=where) from None
    if not isinstance(data, Mapping):
        raise ConfigError("an export template must be a mapping of keys to values", where=str(p))
    fmt_key = data.get("format", fmt)
    if fmt_key != fmt:
        raise ConfigError(f"template is for format {fmt_key!r}, expected {fmt!r}", where=str(p))
    body = {k: v for k, v in data.items() if k != "format"}
    return template_from_mapping(cls, body, str(p))


def fill(text: str, values: Mapping[str, str], where: str = "template") -> str:
    """Replace every ``{{name}}`` in `text` by ``values[name]``; an unknown name is a ConfigError."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise ConfigError(
                f"unknown placeholder {{{{{key}}}}}; available: {', '.join(sorted(values))}", where=where
            )
        return values[key]

    return PLACEHOLDER.sub(sub, text)


def template_regex(text: str, names: Mapping[str, str] | None = None) -> re.Pattern[str]:
    """A regex that matches what `fill(text, ...)` produced, capturing each placeholder as a group.

    Placeholders capture numbers unless `names` maps them to another pattern (e.g. identifiers).
    Whitespace in the template matches any run of whitespace. A placeholder used twice must repeat its value.
    """
    names = names or {}
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        out.append(_literal(text[pos : m.start()]))
        key = m.group(1)
        if key in seen:
            out.append(f"(?P={key})")
        else:
            out.append(f"(?P<{key}>{names.get(key, NUMBER_RE)})")
            seen.add(key)
        pos = m.end()
    out.append(_literal(text[pos:]))
    return re.compile("".join(out))


def _literal(text: str) -> str:
    parts = re.split(r"(\s+)", text)
    return "".join(r"\s*" if p.isspace() else re.escape(p) for p in parts if p != "")
