"""Documents of work items: categories, and what a file really is (by its bytes, not its name).

Pure functions, no Flask request or database: the upload operation calls them.
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from flask_babel import lazy_gettext as _l

DOCUMENT_CATEGORIES = {
    "plan": _l("方案"),
    "research_report": _l("调研报告"),
    "opinions": _l("审议意见"),
    "handling_report": _l("研究处理情况报告"),
    "other": _l("其他"),
}

FILENAME_MAX = 120


@dataclass(frozen=True)
class DocumentType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


ALLOWED_TYPES = {
    t.key: t for t in (
        DocumentType("pdf", "PDF", "application/pdf", ("pdf",)),
        DocumentType("docx", "Word（DOCX）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     ("docx",)),
        DocumentType("xlsx", "Excel（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     ("xlsx",)),
        DocumentType("png", "PNG", "image/png", ("png",)),
        DocumentType("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
    )
}

ACCEPT_ATTRIBUTE = ",".join("." + ext for t in ALLOWED_TYPES.values() for ext in t.extensions)

MACROS = "macros"


def sniff(data: bytes) -> str | None:
    """The key of ALLOWED_TYPES that the bytes are, MACROS for a macro-enabled Office file, else None.

    Magic bytes via `filetype`. DOCX and XLSX are zip containers and filetype only recognises
    them when the producer wrote [Content_Types].xml first, so any zip is opened (central
    directory only: nothing is decompressed) and judged by the parts it holds.
    """
    kind = filetype.guess(data)
    if kind is None:
        return None
    if kind.extension in ("pdf", "png"):
        return kind.extension
    if kind.extension == "jpg":
        return "jpeg"
    if kind.extension in ("zip", "docx", "xlsx"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return MACROS
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def display_filename(raw: str | None) -> str:
    """The client's file name made safe to show and to offer as the download name; never a path.

    Drops any directory part, control and format characters (CR/LF, bidi overrides), folds
    runs of spaces and trims it to FILENAME_MAX characters keeping the extension.
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: FILENAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:FILENAME_MAX]
    return name


def extension(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""
