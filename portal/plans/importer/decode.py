"""Stage 1, decode: the bytes of an uploaded file -> text with "\n" line ends.

Plain text in UTF-8 (with or without BOM), UTF-16 or GB18030; a Word .docx (paragraphs and
table cells in reading order); a PDF with a text layer. Anything else (a picture, a scanned
PDF, a binary file) is refused with one message that says what it is.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from .documents import PDF_MAGIC, ZIP_MAGIC, docx_text, is_docx, pdf_text
from .results import N_, PlanFormatError


MSG_EMPTY = N_("文件是空的，没有可导入的计划内容。")
MSG_BINARY = N_("文件不是纯文本（含有二进制内容）。请把计划另存为“纯文本（.txt）”后再导入。")
_MSG_UNDECODABLE = N_("无法识别文件的文字编码。请把计划另存为 UTF-8 或 GB18030（GBK）编码的纯文本后再导入。")
MSG_NO_PLAN = N_("文件中没有找到工作计划：既没有计划标题（如“2025年度监督工作计划”），"
                  "也没有编号的工作事项（如“一、”“1.”）。")
_MSG_NOT_TEXT = N_("这是%(what)s，不是纯文本。请把计划另存为“纯文本（.txt）”后再导入。")

_MAGIC = (
    (b"\x89PNG", N_("PNG 图片")),
    (b"GIF8", N_("GIF 图片")),
    (b"\xff\xd8\xff", N_("JPEG 图片")),
    (b"PK\x03\x04", N_("压缩包或 Excel（.xlsx）文件")),
    (b"\xd0\xcf\x11\xe0", N_("Word/Excel（.doc/.xls）文件")),
    (b"{\\rtf", N_("RTF 文档")),
)


def normalize_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\u2028\u2029\x85\x0b\x0c]", "\n", text)


def check_text(text: str) -> str:
    """Reject text that decoded but is really binary (control or unassigned characters)."""
    if "\x00" in text:
        raise PlanFormatError(MSG_BINARY)
    odd = sum(1 for ch in text if ch != "\n" and ch != "\t" and (
        ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")))
    if odd > max(2, len(text) // 200):
        raise PlanFormatError(MSG_BINARY)
    if not text.strip():
        raise PlanFormatError(MSG_EMPTY)
    return text


def decode_plan_bytes(data: bytes) -> str:
    """The text of a plan file: plain text (UTF-8 with or without BOM, UTF-16, GB18030), .docx or PDF,
    with "\\n" line ends."""
    data = bytes(data)
    if not data.strip():
        raise PlanFormatError(MSG_EMPTY)
    if data.startswith(PDF_MAGIC):
        return check_text(normalize_newlines(pdf_text(data)))
    if data.startswith(ZIP_MAGIC) and is_docx(data):
        return check_text(normalize_newlines(docx_text(data)))
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise PlanFormatError(_MSG_NOT_TEXT, what=what)
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            # UTF-16 without a BOM (saved by some Windows editors): the NULs of ASCII characters
            # fall on one side of each byte pair; in binary data they fall anywhere.
            even, odd = data[0::2].count(0), data[1::2].count(0)
            lopsided = odd > 4 * even or even > 4 * odd
            if len(data) % 2 or not lopsided or max(even, odd) < max(2, len(data) // 200):
                raise PlanFormatError(MSG_BINARY)
            try:
                text = data.decode("utf-16-le" if odd > even else "utf-16-be")
            except UnicodeDecodeError:
                raise PlanFormatError(MSG_BINARY) from None
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise PlanFormatError(_MSG_UNDECODABLE) from None
    return check_text(normalize_newlines(text))


# For *matching only*, full-width ASCII folds to half width so （一）/(一), ，/, and ：/: are one
