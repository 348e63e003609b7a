"""Bad input: each case names file, line, column, value and what was expected, and writes nothing.

Every test first imports a good file, so "writes nothing" is checked as "the database holds
exactly what it held before", on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ingest_helpers import check_error, counts, run

from trustmeter.errors import ConfigError, InputError
from trustmeter.ingest import Mapping
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]
GOOD = "id,opened_at,severity,title\nINC0,2024-01-01T00:00:00Z,P3,first\n"


@pytest.fixture
def seeded(store: Store, write: Write) -> Iterator[Store]:
    """A store that already holds one good import, and checks it still holds only that."""
    run(store, "incidents", write("good.csv", GOOD))
    before = counts(store)
    assert before["incident"] == 1
    yield store
    assert counts(store) == before


def fails(store: Store, kind: str, *paths: Path, **kw: object) -> InputError:
    with pytest.raises(InputError) as info:
        run(store, kind, *paths, **kw)  # type: ignore[arg-type]
    return info.value


def test_wrong_delimiter_is_named(seeded: Store, write: Write) -> None:
    p = write("semi.csv", "id;opened_at;severity\nINC1;2024-01-05 10:00;P1\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=1, column="id", value=None, expected="a column named 'id'")
    assert "required fields id, opened_at" in err.problem
    assert "'id;opened_at;severity'" in str(err)  # the file's columns are listed
    assert "the file looks ';'-delimited: pass --delimiter ';'" in str(err)


def test_tab_file_read_as_csv_suggests_tab(seeded: Store, write: Write) -> None:
    p = write("tabs.csv", "id\topened_at\nINC1\t2024-01-05\n")
    err = fails(seeded, "incidents", p)
    assert "looks '\\\\t'-delimited" in str(err) or "looks '\\t'-delimited" in str(err)


def test_missing_required_column(seeded: Store, write: Write) -> None:
    p = write("nodate.csv", "id,severity,Opened\nINC1,P1,2024-01-05\n")
    err = fails(seeded, "incidents", p)
    check_error(
        err, p, line=1, column="opened_at", value=None, expected="a column named 'opened_at'"
    )
    assert "'id', 'severity', 'Opened'" in str(err)
    assert "--map opened_at=COLUMN" in str(err)
    assert "delimited" not in str(err)


def test_mapped_column_missing_lists_the_files_columns(seeded: Store, write: Write) -> None:
    p = write("m.csv", "number,opened\nINC1,2024-01-05\n")
    mapping = Mapping().merged(columns={"id": "number", "opened_at": "Opened At"})
    err = fails(seeded, "incidents", p, mapping=mapping)
    check_error(err, p, line=1, column="Opened At", value=None, expected="'number', 'opened'")
    assert "opened_at" in err.problem


def test_unparseable_date(seeded: Store, write: Write) -> None:
    p = write("dates.csv", GOOD + "INC1,2024-01-05 10:00,P1,ok\nINC2,31/12/2024 10:00,P1,bad\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=4, column="opened_at", value="31/12/2024 10:00", expected="ISO 8601")
    assert "date_format" in str(err)


def test_date_not_matching_the_date_format(seeded: Store, write: Write) -> None:
    p = write("fmt.csv", "id,opened_at\nINC1,05.01.2024 10:00\nINC2,5 Jan 2024\n")
    err = fails(seeded, "incidents", p, date_format="%d.%m.%Y %H:%M")
    check_error(err, p, line=3, column="opened_at", value="5 Jan 2024", expected="'%d.%m.%Y %H:%M'")
    assert "05.01.2024 14:30" in str(err)  # an example in that format


def test_impossible_calendar_date(seeded: Store, write: Write) -> None:
    p = write("feb.csv", "id,opened_at\nINC1,2024-02-28\nINC2,2024-02-30 10:00\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=3, column="opened_at", value="2024-02-30 10:00", expected="ISO 8601")


def test_bad_severity(seeded: Store, write: Write) -> None:
    p = write("sev.csv", "id,opened_at,severity\nINC1,2024-01-05,P2\nINC2,2024-01-05,Critical\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=3, column="severity", value="Critical", expected="P1 to P5")
    assert '--value severity:"Critical"=P1' in str(err)
    assert "[values.severity]" in str(err)


def test_bad_enum_says_how_to_map(seeded: Store, write: Write) -> None:
    p = write("chg.csv", "id,deployed_at,kind\nCHG1,2024-01-05,Hotfix\n")
    err = fails(seeded, "changes", p)
    check_error(
        err,
        p,
        line=2,
        column="kind",
        value="Hotfix",
        expected="one of deployment, standard, normal, emergency",
    )
    assert '--value kind:"Hotfix"=deployment' in str(err)


def test_non_utf8_bytes(seeded: Store, write: Write) -> None:
    p = write("latin1.csv", b"id,opened_at,title\nINC1,2024-01-05,Caf\xe9 au lait\n")
    err = fails(seeded, "incidents", p)
    check_error(
        err,
        p,
        line=2,
        column="title",
        value="INC1,2024-01-05,Caf\ufffd au lait",
        expected="text encoded as UTF-8",
    )
    assert "byte 0xe9 at byte offset 38" in err.problem
    assert "--encoding cp1252" in str(err)


def test_non_utf8_bytes_deep_in_a_big_file(seeded: Store, write: Write) -> None:
    rows = "".join(f"INC{i},2024-01-05,t{i}\n" for i in range(30_000))
    p = write("big.csv", b"id,opened_at,title\n" + rows.encode() + b"INCX,2024-01-05,\xff\n")
    err = fails(seeded, "incidents", p)
    assert err.line == 30_002 and err.column == "title"


def test_other_encoding_when_told(store: Store, write: Write) -> None:
    p = write("latin1.csv", b"id,opened_at,title\nINC1,2024-01-05,Caf\xe9\n")
    run(store, "incidents", p, encoding="cp1252")
    assert store.scalar("SELECT title FROM incident") == "Café"


def test_empty_file(seeded: Store, write: Write) -> None:
    p = write("empty.csv", "")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=1, column=None, value=None, expected="a first line naming the columns")


def test_header_only_imports_nothing(store: Store, write: Write) -> None:
    r = run(store, "incidents", write("header.csv", "id,opened_at\n"))
    assert (r.rows_read, r.inserted) == (0, 0)
    assert counts(store)["incident"] == 0
    assert counts(store)["import_log"] == 1


def test_huge_field(seeded: Store, write: Write) -> None:
    big = "x" * 1_000_001
    p = write("huge.csv", f'id,opened_at,title\nINC1,2024-01-05,ok\nINC2,2024-01-05,"{big}"\n')
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=3, column="title", value=None, expected="at most 1,000,000 characters")
    assert "1,000,001 characters" in err.problem


def test_field_at_the_limit_is_fine(store: Store, write: Write) -> None:
    p = write("limit.csv", f"id,opened_at,title\nINC1,2024-01-05,{'y' * 1_000_000}\n")
    assert run(store, "incidents", p).inserted == 1


def test_row_with_too_many_fields(seeded: Store, write: Write) -> None:
    p = write("ragged.csv", "id,opened_at,title\nINC1,2024-01-05,a\nINC2,2024-01-05,Smith, Jane\n")
    err = fails(seeded, "incidents", p)
    check_error(
        err,
        p,
        line=3,
        column="(field 4, after the last column 'title')",
        value=" Jane",
        expected="3 fields, like the header",
    )


def test_row_with_too_few_fields(seeded: Store, write: Write) -> None:
    p = write("short.csv", "id,opened_at,title\nINC1,2024-01-05\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=2, column="title", value="INC1,2024-01-05", expected="3 fields")


def test_line_numbers_count_newlines_inside_quotes(seeded: Store, write: Write) -> None:
    p = write("multi.csv", 'id,opened_at,title\nINC1,2024-01-05,"two\nlines"\nINC2,nope,x\n')
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=4, column="opened_at", value="nope", expected="ISO 8601")


def test_a_label_written_twice_reads_the_first_non_empty_value(store: Store, write: Write) -> None:
    """Real exports repeat a label (a customised ServiceNow form); the first non-empty value
    of the repeated columns is read, and the summary says so and counts disagreements."""
    p = write(
        "dup.csv",
        "id,opened_at,Title,title\nINC1,2024-01-05,,second\nINC2,2024-01-05,first,other\n",
    )
    r = run(store, "incidents", p)
    assert r.rows_read == 2
    got = store.fetch("SELECT id, title FROM incident ORDER BY id")
    assert got == [("INC1", "second"), ("INC2", "first")]
    assert r.notes == [
        "dup.csv: the header has 'Title' 2 times (columns 3 and 4): each row's first "
        "non-empty value of them is read; 1 rows had different values there"
    ]


def test_unclosed_quote(seeded: Store, write: Write) -> None:
    p = write("quote.csv", 'id,opened_at,title\nINC1,2024-01-05,"open\nINC2,2024-01-05,x\n')
    err = fails(seeded, "incidents", p)
    assert err.line == 2 and "never close" in (err.hint or "")


def test_text_after_a_closing_quote(seeded: Store, write: Write) -> None:
    p = write("q2.csv", 'id,opened_at,title\nINC1,2024-01-05,"27" screen"\n')
    err = fails(seeded, "incidents", p)
    assert err.line == 2 and '""' in (err.hint or "")


def test_required_value_empty(seeded: Store, write: Write) -> None:
    p = write("req.csv", "id,opened_at\nINC1,2024-01-05\nINC2,  \n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=3, column="opened_at", value="  ", expected="a opened_at")


def test_ambiguous_thousands_separator(seeded: Store, write: Write) -> None:
    p = write("svc.csv", 'id,name,slo_availability\nS1,ERP,"99,5"\n')
    err = fails(seeded, "services", p)
    check_error(
        err, p, line=2, column="slo_availability", value="99,5", expected="'.' for decimals"
    )
    assert "decimal comma" in err.problem


def test_out_of_range(seeded: Store, write: Write) -> None:
    p = write("tier.csv", "id,name,tier\nS1,ERP,1\nS2,CRM,4\n")
    err = fails(seeded, "services", p)
    check_error(err, p, line=3, column="tier", value="4", expected="a number ≤ 3")


def test_bad_bool(seeded: Store, write: Write) -> None:
    p = write("b.csv", "id,opened_at,is_maintenance\nINC1,2024-01-05,maybe\n")
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=2, column="is_maintenance", value="maybe", expected="true/false")


def test_earliest_bad_row_is_reported(seeded: Store, write: Write) -> None:
    p = write("two.csv", "id,opened_at,severity\nINC1,2024-01-05,P9\nINC2,never,P1\n")
    err = fails(seeded, "incidents", p)
    assert (err.line, err.column) == (2, "severity")


def test_bad_row_in_a_later_file_rejects_all_files(seeded: Store, write: Write) -> None:
    ok = write("ok.csv", "id,opened_at\nINC1,2024-01-05\nINC2,2024-01-06\n")
    bad = write("bad.csv", "id,opened_at\nINC3,2024-01-05\nINC4,later\n")
    err = fails(seeded, "incidents", ok, bad)
    check_error(err, bad, line=3, column="opened_at", value="later", expected="ISO 8601")


def test_bad_row_after_the_first_write_rolls_back(seeded: Store, write: Write) -> None:
    rows = "".join(f"INC{i},2024-01-05\n" for i in range(120_000))
    p = write("late.csv", "id,opened_at\n" + rows + "INCX,bad\n")
    err = fails(seeded, "incidents", p)
    assert (err.line, err.value) == (120_002, "bad")


def test_missing_file_and_unknown_extension(seeded: Store, write: Write, tmp_path: Path) -> None:
    err = fails(seeded, "incidents", tmp_path / "nope.csv")
    assert "does not exist" in str(err) and "nope.csv" in str(err)
    err = fails(seeded, "incidents", write("data.txt", "id\n"))
    assert "'.txt'" in str(err) and ".csv" in (err.expected or "")
    err = fails(seeded, "incidents", write("old.xls", b"\xd0\xcf"))
    assert "save it as .xlsx" in (err.hint or "")


def test_json_bad_value_names_line_and_record(seeded: Store, write: Write) -> None:
    records = [{"id": "A", "opened_at": "2024-01-05"}, {"id": "B", "opened_at": "soon"}]
    p = write("r.json", json.dumps(records, indent=2))
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=6, column="opened_at", value="soon", expected="ISO 8601")
    assert "(record 2)" in err.problem


def test_json_syntax_error(seeded: Store, write: Write) -> None:
    p = write("broken.json", '[\n{"id": "A", "opened_at": "2024-01-05"},\n{"id": "B",, }\n]')
    err = fails(seeded, "incidents", p)
    assert err.line == 3 and "not valid JSON" in err.problem


def test_json_record_not_an_object(seeded: Store, write: Write) -> None:
    p = write("list.json", '[{"id": "A", "opened_at": "2024-01-05"}, 5]')
    err = fails(seeded, "incidents", p)
    assert err.line == 1 and "record 2 is not an object" in err.problem


def test_json_that_is_not_json(seeded: Store, write: Write) -> None:
    p = write("csv.json", "id,opened_at\nA,2024-01-05\n")
    err = fails(seeded, "incidents", p)
    assert "not JSON" in err.problem and "CSV" in (err.hint or "")


def test_ndjson_bad_line(seeded: Store, write: Write) -> None:
    p = write(
        "r.ndjson", '{"id": "A", "opened_at": "2024-01-05"}\n\n{"id": "B", "opened_at": "x"}\n'
    )
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=3, column="opened_at", value="x", expected="ISO 8601")


def test_xlsx_bad_value_names_the_sheet_row(seeded: Store, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "opened_at", "severity"])
    ws.append(["A", "2024-01-05", "P1"])
    ws.append([])
    ws.append(["B", "2024-01-05", "Sev 9"])
    p = tmp_path / "x.xlsx"
    wb.save(p)
    err = fails(seeded, "incidents", p)
    check_error(err, p, line=4, column="severity", value="Sev 9", expected="P1 to P5")


def test_unknown_kind_and_mapping_for_another_kind(seeded: Store, write: Write) -> None:
    p = write("x.csv", GOOD)
    with pytest.raises(ConfigError, match="unknown record kind 'incident-reports'"):
        run(seeded, "incident-reports", p)
    with pytest.raises(ConfigError, match="is for changes, but incidents are being imported"):
        run(seeded, "incidents", p, mapping=Mapping(kind="changes"))
    with pytest.raises(ConfigError, match="'opened', which is not a field of incidents"):
        run(seeded, "incidents", p, mapping=Mapping().merged(columns={"opened": "x"}))
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Base'"):
        run(seeded, "incidents", p, timezone="Mars/Base")


def test_unknown_encoding(seeded: Store, write: Write) -> None:
    p = write("e.csv", GOOD)
    err = fails(seeded, "incidents", p, encoding="klingon")
    assert "unknown text encoding 'klingon'" in err.problem and "cp1252" in (err.expected or "")


def test_a_mapping_may_name_its_kind_as_the_table_does(store: Store, write: Write) -> None:
    """`kind = "work_items"` in a mapping file is the kind `trustmeter import work-items` reads
    (a user copying the table's name must not be told the kinds differ); a real mismatch
    says which command would read the file, with no option that does not exist."""
    p = write("w.csv", "id,created_at\nW1,2024-01-05\n")
    run(store, "work-items", p, mapping=Mapping(kind="work_items"))
    assert counts(store)["work_item"] == 1
    with pytest.raises(
        ConfigError, match=r"import the file as `trustmeter import work-items FILE`"
    ):
        run(store, "incidents", p, mapping=Mapping(kind="work_items"))
