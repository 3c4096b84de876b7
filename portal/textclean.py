"""Cleaning of text that people type or import, before any check sees it (pure: no Flask, no database).

- Characters that are never meant to be stored are removed everywhere: bidi embedding, override and
  isolate controls (U+202A–U+202E, U+2066–U+2069 and the marks U+200E, U+200F, U+061C: a U+202E can
  make "…成已完" read as "完成…" and disguise a note), zero-width spaces and joiners used as
  padding (U+200B, U+2060, U+FEFF the BOM, U+180E), and C0/C1 control characters other than tab, LF, CR.
- Text made only of invisible characters and white space becomes "", so "required" means
  something visible (U+200C/U+200D alone, Hangul fillers, a lone U+3000 are invisible too).
Anything else, line breaks and a leading full-width indent (　　) included, is kept as typed.
"""
from __future__ import annotations

import re
import unicodedata

_FORMAT = "\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
_REMOVED = re.compile(f"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f{_FORMAT}]")
_HIDDEN = re.compile(f"[{_FORMAT}]")
_INVISIBLE = frozenset("\u200c\u200d\u034f\u115f\u1160\u3164\uffa0\u2800\u00ad")


def _invisible(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp", "Mn", "Me")


def clean_text(value: str | None) -> str | None:
    """The text with the never-stored characters removed; "" when nothing visible is left."""
    if value is None or not isinstance(value, str):
        return value
    value = _REMOVED.sub("", value)
    if all(_invisible(ch) for ch in value):
        return ""
    return value


def remove_hidden(text: str) -> str:
    """Only the bidi controls and zero-width padding (a whole document: its control characters are
    judged by the importer's binary check, its line breaks are kept)."""
    return _HIDDEN.sub("", text)
