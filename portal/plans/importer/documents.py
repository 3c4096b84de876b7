"""Word (.docx) and PDF files -> plain text, for stage 1 (decode).

Plans are circulated as Word documents and sometimes as PDF. A .docx gives its paragraphs and
table cells in reading order, one table row a line with its cells separated by tabs (the lines
stage reads a plan laid out as a table by its columns); a PDF gives its text layer page by page.
A PDF without a text layer is a scan: one clear message, no OCR guesswork.
"""
from __future__ import annotations

import io
import logging
import zipfile

from .results import N_, PlanFormatError

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"
CELL_SEPARATOR = "\t"

_MSG_BAD_DOCX = N_("无法读取这个 Word（.docx）文件：文件已损坏或不是 Word 文档。请用 Word 打开后重新保存再导入。")
_MSG_BAD_PDF = N_("无法读取这个 PDF 文件：文件已损坏或已加密。")
_MSG_SCANNED_PDF = N_("这个 PDF 文件没有文字层（可能是扫描件），无法读取其中的文字。"
                      "请上传 Word 文件、纯文本文件或带文字层的 PDF。")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        raise PlanFormatError(_MSG_BAD_DOCX) from None


def docx_text(data: bytes) -> str:
    """The body of a .docx in reading order: paragraphs, and tables one row a line."""
    import docx  # python-docx: imported here so plain-text imports do not pay for lxml
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds (KeyError, lxml errors …) for a broken file
        raise PlanFormatError(_MSG_BAD_DOCX) from None
    numbering = _ListNumbering(document)
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == _W + "p":
            paragraph = Paragraph(element, document)
            lines.append(numbering.label(paragraph) + paragraph.text)
        elif element.tag == _W + "tbl":
            lines.extend(_table_rows(Table(element, document)))
    return "\n".join(lines)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell is listed once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append(CELL_SEPARATOR.join(cells))
    return rows


class _ListNumbering:
    """The numbers Word draws in front of list paragraphs (自动编号): 一、 1. （一）… are not in the
    paragraph's text, but the plan's structure is written in them."""

    _FORMATS = {
        "decimal": str,
        "chineseCounting": lambda n: _cn(n),
        "chineseCountingThousand": lambda n: _cn(n),
        "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
        "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if n <= 20 else str(n),
        "decimalEnclosedCircleChinese": lambda n: chr(0x2460 + n - 1) if n <= 20 else str(n),
    }

    def __init__(self, document):
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}  # (numId, ilvl) -> (format, text, start)
        self.counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for node in root.findall(_W + "abstractNum"):
            levels = {}
            for lvl in node.findall(_W + "lvl"):
                fmt, text, start = lvl.find(_W + "numFmt"), lvl.find(_W + "lvlText"), lvl.find(_W + "start")
                levels[lvl.get(_W + "ilvl")] = (fmt.get(_W + "val") if fmt is not None else "decimal",
                                                text.get(_W + "val") if text is not None else "",
                                                int(start.get(_W + "val")) if start is not None else 1)
            abstract[node.get(_W + "abstractNumId")] = levels
        for num in root.findall(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            for ilvl, level in abstract.get(ref.get(_W + "val") if ref is not None else "", {}).items():
                self.levels[(num.get(_W + "numId"), ilvl)] = level

    def label(self, paragraph) -> str:
        num_pr = self._num_pr(paragraph)
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id, ilvl = str(num_pr.numId.val), str(num_pr.ilvl.val if num_pr.ilvl is not None else 0)
        level = self.levels.get((num_id, ilvl))
        if level is None:
            return ""
        fmt, text, start = level
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and int(k[1]) > int(ilvl)]:
            del self.counters[deeper]  # a new 一、 restarts its 1. 2. …
        render = self._FORMATS.get(fmt)
        if render is None:
            return ""
        value = render(self.counters[key])
        return text.replace(f"%{int(ilvl) + 1}", value) if text else ""


    @staticmethod
    def _num_pr(paragraph):
        """The paragraph's own list numbering, or its style's (a "List Number" paragraph)."""
        props = paragraph._p.pPr
        if props is not None and props.numPr is not None:
            return props.numPr
        style = paragraph.style
        while style is not None:
            props = style.element.pPr
            if props is not None and props.numPr is not None:
                return props.numPr
            style = style.base_style
        return None


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page by page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf reports recoverable oddities of a file through logging; they are not the user's concern.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # many circulated PDFs are "encrypted" with an empty password
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        # a damaged file makes pypdf fail in many ways, not only with its own errors
        raise PlanFormatError(_MSG_BAD_PDF) from None
    text = "\n".join(pages)
    if not text.strip():
        raise PlanFormatError(_MSG_SCANNED_PDF)
    return text
