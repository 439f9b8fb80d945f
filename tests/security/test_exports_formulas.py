"""Exports never carry a live formula (issue 12 item 4): text that starts with =, +, -, @, a tab or a
carriage return is written as text into the XLSX and behind an apostrophe into the CSV, while amounts,
ids and dates stay numbers and dates. The files are read back as a spreadsheet program would."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheets import csv_cell, starts_like_formula
from tests.factories import CapitalDeliveryFactory, ProjectFactory, UnitFactory

HYPERLINK = '=HYPERLINK("http://x","y")'
NOTES = ["+1", "-2", "\tX", "\rY"]


@pytest.fixture
def risky(db):
    unit = UnitFactory(code="risky", name="-危险单位")
    project = ProjectFactory(
        unit=unit, name=HYPERLINK, investor="@SUM(A1)", signed=True, signed_amount=Decimal("1234.50")
    )
    deliveries = [
        CapitalDeliveryFactory(project=project, note=note, amount=Decimal("100.25"), delivered_on=day)
        for note, day in zip(NOTES, [datetime.date(2011, 4, d) for d in (1, 2, 3, 4)], strict=True)
    ]
    return project, deliveries


@pytest.fixture
def admin_client_session(client, admin_user):
    client.force_login(admin_user)
    return client


def _body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _xlsx_cells(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


def test_the_project_xlsx_holds_text_where_a_formula_was_typed(risky, admin_client_session):
    project, _deliveries = risky
    rows = _xlsx_cells(admin_client_session.get(reverse("project-export"), {"format": "xlsx"}))
    row = next(r for r in rows[1:] if r[0].value == project.pk)
    name, investor, unit = row[1], row[2], row[4]

    assert name.value == HYPERLINK and name.data_type == "s" and name.quotePrefix
    assert investor.value == "@SUM(A1)" and investor.data_type == "s" and investor.quotePrefix
    assert unit.value == "-危险单位" and unit.data_type == "s" and unit.quotePrefix
    assert all(cell.data_type != "f" for r in rows for cell in r)
    # Numbers stay numbers: the id, the signed amount; the signing date stays a date.
    assert row[0].data_type == "n"
    assert row[13].data_type == "n" and row[13].value == pytest.approx(1234.5)
    assert row[14].data_type == "d" and row[14].value.date() == project.signed_on
    # Ordinary text is left as it is, without a quote prefix.
    assert row[11].value == "签约" and not row[11].quotePrefix


def test_the_project_csv_puts_an_apostrophe_before_formula_text(risky, admin_client_session):
    project, _deliveries = risky
    rows = _csv(admin_client_session.get(reverse("project-export"), {"format": "csv"}))
    row = next(r for r in rows[1:] if r[0] == str(project.pk))

    assert row[1] == "'" + HYPERLINK
    assert row[2] == "'@SUM(A1)"
    assert row[4] == "'-危险单位"
    assert row[13] == "1234.50" and row[14] == project.signed_on.isoformat()
    assert not any(starts_like_formula(cell) for r in rows for cell in r)


def test_the_delivery_exports_neutralise_every_note(risky, admin_client_session):
    project, deliveries = risky
    url = reverse("delivery-export")

    rows = _csv(admin_client_session.get(url, {"format": "csv"}))[1:]
    by_id = {row[0]: row for row in rows}
    for delivery, note in zip(deliveries, NOTES, strict=True):
        row = by_id[str(delivery.pk)]
        assert row[6] == "'" + note
        assert row[2] == "'" + HYPERLINK
        assert row[5] == "100.25"

    cells = {r[0].value: r for r in _xlsx_cells(admin_client_session.get(url, {"format": "xlsx"}))[1:]}
    for delivery, note in zip(deliveries, NOTES, strict=True):
        row = cells[delivery.pk]
        note_cell = row[6]
        assert note_cell.data_type == "s" and note_cell.quotePrefix
        # A bare carriage return is kept as written (_x000D_) or read back as a line feed, as the XML
        # writer chooses; either way the cell is text.
        assert note_cell.value in (note, note.replace("\r", "\n"))
        assert row[1].value == project.reference and row[1].data_type == "s"  # its 项目编号, as text
        assert row[5].value == pytest.approx(100.25) and row[5].data_type == "n"


def test_control_characters_do_not_break_the_xlsx(admin_client_session, db):
    # A name pasted from another program may carry characters the file's XML cannot hold.
    project = ProjectFactory(name="华友\x07钴业")
    rows = _xlsx_cells(admin_client_session.get(reverse("project-export"), {"format": "xlsx"}))
    assert next(r for r in rows[1:] if r[0].value == project.pk)[1].value == "华友钴业"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+86 570", "'+86 570"), ("-", "'-"), ("@x", "'@x"), ("\tA", "'\tA"), ("\rB", "'\rB"),
     ("a=b", "a=b"), ("", ""), (Decimal("-5.00"), Decimal("-5.00")), (-3, -3), (datetime.date(2011, 1, 1),
     datetime.date(2011, 1, 1)), (None, None)],
)  # fmt: skip
def test_only_text_is_neutralised(value, expected):
    assert csv_cell(value) == expected
