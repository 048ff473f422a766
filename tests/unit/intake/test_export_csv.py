"""The export's CSV: formula cells made inert, one case as a row, the bytes written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId

from services.intake.exports.csv_rows import (
    COLUMNS,
    REPORTER_COLUMNS,
    encode_rows,
    format_row,
    guard_cell,
    header,
)


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil","klik")',
        "+62 812 3456",
        "-1+1",
        "@SUM(A1:A2)",
        "\tindented",
        "\rcarriage",
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe(cell: str) -> None:
    assert guard_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["", "ASN kampanye", "12.06", "a=b", "Rp 1.000", " =not first", "'already"]
)
def test_other_cells_are_left_as_they_are(cell: str) -> None:
    assert guard_cell(cell) == cell


def _case(**overrides: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "_id": ObjectId("665f1c2e9b1e8a3d4c5b6a70"),
        "tracking_code": "PTU-7K3M-9QX2",
        "tenant": "12.06",
        "status": "under_examination",
        "source": "public_report",
        "title": "ASN hadir di kampanye",
        "description": "never exported",
        "submitted_at": datetime(2024, 11, 20, 1, 30, tzinfo=UTC),
        "late_filing": False,
        "triage": {
            "category": "netralitas_asn",
            "priority": "high",
            "sanction_level": "sedang",
            "unit": "Inspektorat",
            "due_at": datetime(2024, 11, 27, 16, 59, 59, tzinfo=UTC),
            "assignee": {"officer_id": "karo-insp-01", "name": "Budi Sembiring"},
        },
        "first_action_at": datetime(2024, 11, 20, 3, 0),  # naive: read as UTC
    }
    doc.update(overrides)
    return doc


def test_a_row_holds_the_columns_in_order_with_local_moments() -> None:
    row = format_row(_case(), tz=ZoneInfo("Asia/Jakarta"))
    assert len(row) == len(COLUMNS)
    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["id"] == "665f1c2e9b1e8a3d4c5b6a70"
    assert cells["category"] == "netralitas_asn"
    assert cells["assignee_officer_id"] == "karo-insp-01"
    assert cells["submitted_at"] == "2024-11-20T08:30:00+07:00"
    assert cells["due_at"] == "2024-11-27T23:59:59+07:00"
    assert cells["first_action_at"] == "2024-11-20T10:00:00+07:00"
    assert cells["closed_at"] == ""
    assert cells["late_filing"] == "false"
    # Neither the description nor the assignee's name is a column.
    assert "never exported" not in row
    assert "Budi Sembiring" not in row


def test_an_untriaged_case_has_empty_triage_cells() -> None:
    row = format_row(_case(triage={}, first_action_at=None))
    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["category"] == cells["unit"] == cells["assignee_officer_id"] == ""
    assert cells["due_at"] == cells["first_action_at"] == ""


def test_reporter_cells_follow_only_when_asked() -> None:
    identity = {"name": "Siti", "phone": "+6281260001234", "email": None}
    with_reporter = format_row(_case(), identity=identity, include_reporter=True)
    assert len(with_reporter) == len(header(True)) == len(COLUMNS) + len(REPORTER_COLUMNS)
    # A phone number starts with "+": it is guarded like any other cell.
    assert with_reporter[-3:] == ["Siti", "'+6281260001234", ""]
    assert len(format_row(_case(), identity=identity)) == len(COLUMNS)
    anonymous = format_row(_case(), identity=None, include_reporter=True)
    assert anonymous[-3:] == ["", "", ""]


def test_a_formula_in_a_title_is_neutralised_in_the_row() -> None:
    row = format_row(_case(title="=cmd|' /C calc'!A0"))
    assert row[COLUMNS.index("title")] == "'=cmd|' /C calc'!A0"


def test_encoded_rows_are_utf8_csv_with_a_bom_first() -> None:
    data = encode_rows([header(False)], first=True) + encode_rows(
        [["a,b", 'kata "kutip"', "baris\nbaru"]]
    )
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(COLUMNS)
    assert rows[1] == ["a,b", 'kata "kutip"', "baris\nbaru"]
    assert b"\r\n" in data
    assert not encode_rows([["x"]]).startswith("\ufeff".encode())
