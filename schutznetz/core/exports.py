"""Downloads people open in Excel: CSV and XLSX that cannot carry formulas.

A cell starting with = + - @ (or a tab/CR that Excel skips) would be run as a
formula by a spreadsheet; such a value is prefixed with an apostrophe, the
escape OWASP recommends, so it shows as the text that was entered.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float):
        return value
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
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
