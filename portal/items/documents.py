"""Documents of work items: categories, and what a file really is (by its bytes, not its name).

The checks (`sniff`, `display_filename`) are pure; `upload_document` and `remove_document`
take the acting user, check, store and write the history, like every operation.
"""
from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import authz
from portal.errors import Invalid, NotVisible
from portal.extensions import db
from portal.history import record
from portal.models import ItemDocument, User, WorkItem
from portal.timeutil import utcnow

log = logging.getLogger("portal.items")

DOCUMENT_CATEGORIES = {
    "plan": _l("方案"),
    "research_report": _l("调研报告"),
    "opinions": _l("审议意见"),
    "handling_report": _l("研究处理情况报告"),
    "instruction_answer": _l("批示办理材料"),
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


def max_document_bytes() -> int:
    return int(current_app.config["DOCUMENT_MAX_BYTES"])


def max_document_megabytes() -> str:
    return f"{max_document_bytes() / 1024 / 1024:.3g}"


def too_large_message() -> str:
    return _("文件超过 %(mb)s MB 的大小限制，未上传。", mb=max_document_megabytes())


def upload_document(user: User, item: WorkItem, *, category: str, filename: str | None, data: bytes | None,
                    instruction_id: int | None = None) -> ItemDocument:
    """Store a document after checking its category, size and type (by content; the name must agree).
    With `instruction_id` it belongs to the answer to that instruction (the caller checked the answer)."""
    authz.check(user, "item.work", item)
    errors: dict[str, str] = {}
    if category not in DOCUMENT_CATEGORIES:
        errors["category"] = _("请选择材料类别。")
    name = display_filename(filename)
    if data is None or (not data and not name):
        errors["file"] = _("请选择要上传的文件。")
    elif not data:
        errors["file"] = _("文件是空的。")
    elif len(data) > max_document_bytes():
        errors["file"] = too_large_message()
    else:
        kind = sniff(data)
        allowed = "、".join(t.label for t in ALLOWED_TYPES.values())
        if kind == MACROS:
            errors["file"] = _("不接受含有宏的 Office 文件，请另存为不含宏的 .docx 或 .xlsx 后再上传。")
        elif kind is None:
            errors["file"] = _("只能上传 %(types)s 文件；此文件的内容不属于这些类型，未上传。", types=allowed)
        elif extension(name) not in ALLOWED_TYPES[kind].extensions:
            expected = ALLOWED_TYPES[kind]
            errors["file"] = _("文件名的扩展名与内容不符：内容是 %(kind)s，扩展名应为 %(ext)s。",
                               kind=expected.label, ext="、".join("." + e for e in expected.extensions))
    if errors:
        if "file" in errors:
            log.warning("document_refused", extra={"event": "document_refused", "item_id": item.id,
                                                   "reason": errors["file"][:80]})
        raise Invalid(errors)
    document = ItemDocument(
        item_id=item.id, category=category, filename=name, content_type=ALLOWED_TYPES[kind].content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=user.id,
        instruction_id=instruction_id,
    )
    db.session.add(document)
    if instruction_id is None:  # an answer's documents are named in the instruction's own history entry
        record(item, user, "document", category, "uploaded", name)
    db.session.flush()
    return document


def remove_document(user: User, item: WorkItem, document: ItemDocument) -> bool:
    """Soft-remove: the file is no longer offered or served, its row and bytes stay for the history."""
    authz.check(user, "item.work", item)
    if document.item_id != item.id:
        raise NotVisible()
    if document.removed_at is not None:
        return False
    document.removed_at = utcnow()
    document.removed_by_id = user.id
    record(item, user, "document", document.category, "removed", document.filename)
    db.session.flush()
    return True
