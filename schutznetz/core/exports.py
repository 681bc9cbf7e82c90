"""Downloads people open in Excel: CSV and XLSX that cannot carry formulas.

A cell starting with = + - @ (or a tab/CR that Excel skips) would be run as a
formula by a spreadsheet; such a value is prefixed with an apostrophe, the
escape OWASP recommends, so it shows as the text that was entered.
"""

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def _local(value):
    """A datetime in the county's time, without time zone (what a spreadsheet cell holds)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float):
        return value
    # Written as German Excel reads dates by double-click: 25.11.2026 10:00.
    if isinstance(value, datetime):
        return _local(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header, rows):
    buffer = io.StringIO()
    # Semicolons and a BOM: what German Excel opens correctly by double-click.
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header, rows, title="Daten"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        # Strings are written as text cells; the prefix also keeps them inert if re-saved as CSV.
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    """Dates and times as real date cells (sortable and filterable in Excel), the rest via safe_cell."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = "DD.MM.YYYY HH:MM"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    return safe_cell(value)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str, content_type: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_response(header, rows, filename):
    return download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(header, rows, filename, title="Daten"):
    return download(xlsx_bytes(header, rows, title), filename, XLSX_TYPE)
