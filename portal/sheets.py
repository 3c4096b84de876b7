"""Spreadsheets in and out (XLSX and CSV): the one place for the rules every export and import follows.

Every export in the portal builds `Sheet`s and answers with `xlsx_response` or `csv_response`, so
that all of them share the same guarantees:
- a header row, frozen in XLSX, with column widths that fit Chinese text;
- dates and months as real date cells in XLSX (ISO text in CSV);
- cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) neutralised (OWASP "CSV injection");
- CSV in UTF-8 with a BOM, so Excel opens the Chinese correctly;
- large tables streamed: rows are an iterable, written as they come (openpyxl's write-only mode,
  a spooled temporary file; CSV as a generator).
Imports read either format with `read_rows`, which gives each row with the number a user sees in Excel.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from copy import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel caps a sheet name at 31 characters and refuses these.
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12        # in Excel's width unit; a Chinese character takes about two
    kind: str = "text"     # text | int | date | month (a date shown as 2024年6月)


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence] = field(default_factory=list)


def neutralise(value):
    """A text cell that a spreadsheet would evaluate gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(neutralise(value))


# --- XLSX --------------------------------------------------------------------------------------------

_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "month": 'yyyy"年"m"月"'}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_name(title: str, taken: set[str]) -> str:
    name = (title.translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Sheet")[:31]
    base, n = name, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


class _Styles:
    """The styles of one sheet's cells, registered with the workbook once: setting `cell.alignment` on every
    cell hashes the style again each time (most of an export's time), copying a registered one does not."""

    def __init__(self, ws):
        self.ws = ws
        wrap = WriteOnlyCell(ws)
        wrap.alignment = _WRAP
        self.wrap = wrap._style
        self.formats = {}
        for kind, number_format in _NUMBER_FORMATS.items():
            cell = WriteOnlyCell(ws)
            cell.number_format = number_format
            self.formats[kind] = cell._style

    def cell(self, value, style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell._style = copy(style)
        return cell


def _xlsx_cell(styles: _Styles, column: Column, value):
    if column.kind in _NUMBER_FORMATS and isinstance(value, dt.date):
        return styles.cell(value, styles.formats[column.kind])
    if column.kind == "int" and isinstance(value, int):
        return value
    return styles.cell(_text(value) or None, styles.wrap)


def write_xlsx(sheets: Iterable[Sheet], out) -> None:
    """Writes the sheets to a binary file object, one row at a time."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_name(sheet.title, taken))
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=column.header)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            header.append(cell)
        ws.append(header)
        styles = _Styles(ws)
        for row in sheet.rows:
            ws.append([_xlsx_cell(styles, column, value) for column, value in zip(sheet.columns, row)])
    workbook.save(out)


def xlsx_response(sheets: Iterable[Sheet], filename: str) -> Response:
    # Up to 8 MB in memory, then on disk: a city-sized export does not sit in a worker's memory.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(sheets, spool)
    size = spool.tell()
    spool.seek(0)

    def chunks():
        with spool:
            while block := spool.read(64 * 1024):
                yield block

    return _download(Response(chunks(), mimetype=XLSX_MIMETYPE), filename, size)


# --- CSV ---------------------------------------------------------------------------------------------

def csv_lines(sheet: Sheet) -> Iterator[str]:
    """The sheet as CSV text, a line at a time, the first with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line([column.header for column in sheet.columns])
    for row in sheet.rows:
        yield line([_text(value) for value in row])


def csv_response(sheet: Sheet, filename: str) -> Response:
    body = stream_with_context(line.encode("utf-8") for line in csv_lines(sheet))
    return _download(Response(body, mimetype="text/csv; charset=utf-8"), filename)


def _download(response: Response, filename: str, size: int | None = None) -> Response:
    # Header values must be ASCII (gunicorn refuses others): an ASCII fallback plus RFC 5987's filename*.
    fallback = filename.encode("ascii", "ignore").decode() or "export"
    if fallback.startswith("."):
        fallback = "export" + fallback
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "private, no-store"
    if size is not None:
        response.content_length = size
    return response


# --- Reading -----------------------------------------------------------------------------------------

class UnreadableSheet(ValueError):
    """The file is neither a CSV nor an XLSX that can be read; the message says why, for the user."""


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as Excel shows it, cells as stripped text) for each non-empty row, header included."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        yield from _read_xlsx(data)
    else:
        yield from _read_csv(data)


def _read_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on a Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableSheet("文件编码无法识别，请另存为 UTF-8 或 XLSX 格式")
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [cell.strip() for cell in cells]
        if any(cells):
            yield number, cells


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnreadableSheet("不是可读取的 XLSX 文件") from error
    try:
        ws = workbook.worksheets[0]
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                yield number, cells
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a mobile number typed into Excel comes back as 13800000000.0
    return str(value).strip()
