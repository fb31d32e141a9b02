"""Per-cell templates: strict loading, placeholders, and parsing what a template wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from weldcraft.errors import ConfigError, UserError
from weldcraft.export import EXPORTERS, WeldProgram, export_program, get_exporter, read_program
from weldcraft.export.formats.rapid import RapidTemplate
from weldcraft.export.templates import default_template_path, fill, load_template, template_regex


@pytest.mark.parametrize("fmt", ["csv", "fanuc", "json", "krl", "rapid", "ros2", "urscript"])
def test_every_shipped_template_loads(fmt: str) -> None:
    exporter = get_exporter(fmt)
    tmpl = load_template(exporter.template_cls, fmt)
    assert isinstance(tmpl, exporter.template_cls)
    assert default_template_path(fmt).name == f"{fmt}.yaml"


def test_unknown_exporter_names_the_choices() -> None:
    with pytest.raises(
        UserError,
        match="unknown exporter 'rapdi'; choose one of: csv, fanuc, json, krl, rapid, ros2, urscript",
    ):
        get_exporter("rapdi")
    assert EXPORTERS.names() == ["csv", "fanuc", "json", "krl", "rapid", "ros2", "urscript"]


def test_a_typo_or_wrong_type_in_a_template_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "cell.yaml"
    bad.write_text("format: rapid\ntool_nmae: tTorch\n")
    with pytest.raises(ConfigError, match=r"cell\.yaml: unknown key\(s\) tool_nmae; valid keys: .*tool_name"):
        load_template(RapidTemplate, "rapid", bad)
    bad.write_text("format: rapid\ntool_mass_kg: heavy\n")
    with pytest.raises(ConfigError, match="key 'tool_mass_kg' must be a float"):
        load_template(RapidTemplate, "rapid", bad)
    bad.write_text("format: krl\n")
    with pytest.raises(ConfigError, match="template is for format 'krl', expected 'rapid'"):
        load_template(RapidTemplate, "rapid", bad)
    bad.write_text("format: rapid\ntool_name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"cell\.yaml:\d+: invalid YAML"):
        load_template(RapidTemplate, "rapid", bad)


def test_placeholders_fill_and_parse_back() -> None:
    text = "[{{weld_speed_mm_s}},0,[{{schedule}},0,{{voltage_v}},{{wire_feed_m_min}}]]"
    filled = fill(
        text, {"weld_speed_mm_s": "6.000", "schedule": "2", "voltage_v": "25.500", "wire_feed_m_min": "8.000"}
    )
    assert filled == "[6.000,0,[2,0,25.500,8.000]]"
    m = template_regex(text).fullmatch(filled)
    assert m is not None and m.groupdict() == {
        "weld_speed_mm_s": "6.000",
        "schedule": "2",
        "voltage_v": "25.500",
        "wire_feed_m_min": "8.000",
    }
    with pytest.raises(ConfigError, match=r"unknown placeholder \{\{volts\}\}; available: "):
        fill("{{volts}}", {"voltage_v": "1"})


def test_an_edited_cell_template_is_used_for_writing_and_reading(
    plain_program: WeldProgram, tmp_path: Path
) -> None:
    cell = tmp_path / "cell.yaml"
    text = default_template_path("rapid").read_text()
    text = text.replace("tool_name: tWeldGun", "tool_name: tBinzel22").replace(
        'welddata: "[{{weld_speed_mm_s}},0,[{{schedule}},0,{{voltage_v}},{{wire_feed_m_min}},0,0,0,0,0]',
        'welddata: "[{{weld_speed_mm_s}},0,[{{schedule}},0,{{voltage_v}},{{wire_feed_mm_s}},0,0,0,0,0]',
    )
    cell.write_text(text)
    result = export_program(plain_program, "rapid", tmp_path / "out", name="weld", template=cell)
    mod = result.paths[0].read_text()
    assert (
        "PERS tooldata tBinzel22" in mod and "[1,0,25.000,133.333,0,0,0,0,0]" in mod
    )  # 8 m/min = 133.3 mm/s
    back = read_program(result.paths[0], template=cell)
    assert back.segments[1].process.wire_feed_m_min == pytest.approx(8.0, abs=1e-3)
    # The shipped template expects m/min in that place: 133.333 m/min is not a wire feed.
    with pytest.raises(
        UserError, match=r"weld\.mod: welddata weld1: process wire_feed_m_min must be in \[1\.0, 25\.0\]"
    ):
        read_program(result.paths[0])
