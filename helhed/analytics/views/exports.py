"""A dashboard's numbers as CSV and as an Excel workbook.

The files hold the selection the page shows: the unit and the units beneath
it that the user may see, in the chosen group, for every indicator and
period of the range. A hidden cell is a row with an empty value and persons
and the reason it is hidden: the file says that a number exists but never
what it is. Unit and indicator names are typed by people, so they pass
``spreadsheet_safe``; values are numbers.

CSV as the other exports write it: semicolons and UTF-8 with a byte order
mark, which Danish Excel opens as columns with the letters intact; values
with a decimal point, for the programs that read the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed.analytics.definitions import BY_CODE
from helhed.analytics.views.dashboard import children_of, read_selection
from helhed.analytics.views.selection import (
    Selection,
    catalogue,
    cells_for,
    group_label,
    hidden_reason,
    shown_persons,
    shown_value,
)
from helhed.lib.exports import spreadsheet_safe
from helhed.organisation.models import Unit

TEXT_TYPE = "text/plain; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFINITION_ORDER = {code: index for index, code in enumerate(BY_CODE)}


@dataclass(frozen=True)
class ExportRow:
    unit: str
    indicator: str
    indicator_name: str
    period: str
    group: str
    value: Decimal | None
    persons: int | None
    hidden: str


def header() -> list[str]:
    return [
        _("Unit"),
        _("Indicator"),
        _("Indicator name"),
        _("Period"),
        _("Group"),
        _("Value"),
        _("Persons"),
        _("Not shown because"),
    ]


def export_rows(selection: Selection, units: list[Unit]) -> list[ExportRow]:
    """The selection's cells, the unit first and then the units beneath it, oldest first."""
    named = {code: indicator.name for code, indicator in catalogue(selection.unit).items()}
    order = {unit.key: index for index, unit in enumerate(units)}
    names = {unit.key: unit.name for unit in units}
    cells = sorted(
        cells_for(order, selection),
        key=lambda c: (
            order[c.unit_key],
            DEFINITION_ORDER.get(c.indicator_code, 0),
            c.period_start,
        ),
    )
    label = group_label(selection.group)
    return [
        ExportRow(
            unit=spreadsheet_safe(names[cell.unit_key]),
            indicator=cell.indicator_code,
            indicator_name=spreadsheet_safe(named.get(cell.indicator_code, cell.indicator_code)),
            period=cell.period,
            group=label,
            value=shown_value(cell),
            persons=shown_persons(cell),
            hidden=hidden_reason(cell),
        )
        for cell in cells
    ]


def as_csv(rows: list[ExportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header())
    for row in rows:
        writer.writerow(
            [
                row.unit,
                row.indicator,
                row.indicator_name,
                row.period,
                row.group,
                "" if row.value is None else str(row.value),
                "" if row.persons is None else row.persons,
                row.hidden,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[ExportRow], title: str) -> bytes:
    """The rows as a workbook: values and persons as numbers, an empty cell when hidden."""
    # Imported here: openpyxl is only needed for workbooks, and is slow to import.
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header())
    for row in rows:
        sheet.append(
            [
                row.unit,
                row.indicator,
                row.indicator_name,
                row.period,
                row.group,
                None if row.value is None else float(row.value),
                row.persons,
                row.hidden,
            ]
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _selection_or_400(request: HttpRequest) -> tuple[Selection, list[Unit]] | HttpResponse:
    filtered = read_selection(request)
    if filtered.selection is None:
        if not filtered.units:
            return HttpResponseBadRequest(
                _("You have no units whose dashboards you may see."), content_type=TEXT_TYPE
            )
        messages = [str(m) for errors in filtered.form.errors.values() for m in errors]
        return HttpResponseBadRequest(" ".join(messages), content_type=TEXT_TYPE)
    selection = filtered.selection
    return selection, [selection.unit, *children_of(selection.unit, filtered.units)]


def _filename(selection: Selection, extension: str) -> str:
    return (
        f"helhed-dashboard-{selection.unit.pk}-{selection.group.replace(':', '-')}-"
        f"{selection.first.code}-{selection.last.code}.{extension}"
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's selection as CSV."""
    chosen = _selection_or_400(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    selection, units = chosen
    return _attachment(as_csv(export_rows(selection, units)), CSV_TYPE, _filename(selection, "csv"))


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's selection as an Excel workbook."""
    chosen = _selection_or_400(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    selection, units = chosen
    content = as_xlsx(
        export_rows(selection, units), f"{selection.first.code}-{selection.last.code}"
    )
    return _attachment(content, XLSX_TYPE, _filename(selection, "xlsx"))


urlpatterns: list[URLPattern] = [
    path("dashboard.csv", dashboard_csv, name="dashboard_csv"),
    path("dashboard.xlsx", dashboard_xlsx, name="dashboard_xlsx"),
]
