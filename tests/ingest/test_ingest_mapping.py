"""The mapping file and the package's public surface."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import trustmeter.ingest
from trustmeter.errors import ConfigError
from trustmeter.ingest import Mapping

DOCS = Path(__file__).resolve().parents[2] / "docs" / "importing.md"


def _toml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_every_key(tmp_path: Path) -> None:
    p = _toml(
        tmp_path,
        """
kind = "incidents"
source = "servicenow"
timezone = "Europe/Berlin"
date_format = "%d.%m.%Y %H:%M"
delimiter = "tab"
sheet = "Export"
encoding = "cp1252"
[columns]
id = "number"
[values.severity]
"1 - Critical" = "P1"
"2" = 2
[values.is_maintenance]
"Planned" = true
[defaults]
is_maintenance = false
[items]
overall_satisfaction = "How satisfied are you overall?"
""",
    )
    m = Mapping.load(p)
    assert (m.kind, m.source, m.timezone, m.delimiter, m.sheet, m.encoding) == (
        "incidents",
        "servicenow",
        "Europe/Berlin",
        "tab",
        "Export",
        "cp1252",
    )
    assert m.columns == {"id": "number"}
    assert m.values == {
        "severity": {"1 - Critical": "P1", "2": "2"},
        "is_maintenance": {"Planned": "true"},
    }
    assert m.defaults == {"is_maintenance": "false"}
    assert m.items == {"overall_satisfaction": "How satisfied are you overall?"}
    assert m.path == str(p)


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    p = _toml(tmp_path, 'kind = "incidents"\ntimezon = "UTC"\n')
    with pytest.raises(ConfigError, match=re.escape(f"mapping file {p}: unknown key 'timezon'")):
        Mapping.load(p)


def test_bad_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Mapping.load(tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Mapping.load(_toml(tmp_path, "columns = [\n"))
    with pytest.raises(ConfigError, match=r"values\.severity must be a table"):
        Mapping.load(_toml(tmp_path, 'values = { severity = "P1" }\n'))
    with pytest.raises(ConfigError, match="delimiter must be one character"):
        Mapping.load(_toml(tmp_path, 'delimiter = ";;"\n'))
    with pytest.raises(ConfigError, match="source must be a string"):
        Mapping.load(_toml(tmp_path, "source = 3\n"))


def test_merged_overrides() -> None:
    m = Mapping(columns={"id": "number"}, values={"severity": {"High": "P2"}}, source="a")
    n = m.merged(columns={"opened_at": "Opened"}, values={"severity": {"1": "P1"}}, source="b")
    assert n.columns == {"id": "number", "opened_at": "Opened"}
    assert n.values == {"severity": {"High": "P2", "1": "P1"}}
    assert (m.source, n.source) == ("a", "b")
    assert m.merged(timezone=None).timezone is None
    with pytest.raises(TypeError):
        m.merged(colour="red")


def test_public_names() -> None:
    assert sorted(trustmeter.ingest.__all__) == [
        "ImportOptions",
        "ImportResult",
        "Mapping",
        "Progress",
        "import_files",
    ]
    for name in trustmeter.ingest.__all__:
        assert getattr(trustmeter.ingest, name)


def test_every_mapping_key_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for key in (
        "kind",
        "source",
        "timezone",
        "date_format",
        "delimiter",
        "sheet",
        "encoding",
        "[columns]",
        "[values.",
        "[defaults]",
        "[items]",
    ):
        assert key in text, key
