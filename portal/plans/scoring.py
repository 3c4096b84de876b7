"""The importer's score on a corpus of plan documents with their expected items (评测语料).

Each document `NAME.txt` (or .docx, .pdf) has an answer key `NAME.expected.json`:
`{"items": [{"plan", "section_no", "seq", "title", "months", "bodies"}, …]}`. Every expected item
is worth four fields — found, title, months, bodies — and every item the importer finds that the
key does not have costs one more (a field total it can never get right). So a change that
fixes one style and breaks another shows up as a number, per document and overall.

"Invented" counts what must never happen: a month or body on an item that its text does not
state (not in the key), including any month or body on an item that should not exist.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from portal.plans.importer import ParsedDocument, PlanFormatError, parse_plan

FIELDS = ("found", "title", "months", "bodies")
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")


@dataclass
class DocumentScore:
    name: str
    right: int = 0
    total: int = 0
    invented: int = 0
    misses: list[str] = field(default_factory=list)  # one line per wrong field, for the report

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 1.0


def answer_key(document: Path) -> Path:
    return document.with_name(document.name.split(".")[0] + ".expected.json")


def corpus_documents(folder: Path) -> list[Path]:
    """The documents of `folder` that have an answer key, in name order."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix in DOCUMENT_SUFFIXES and answer_key(p).exists())


def score_document(name: str, doc: ParsedDocument | None, expected: list[dict]) -> DocumentScore:
    score = DocumentScore(name)
    parsed = {(i.plan, i.section_no, i.seq): i for i in doc.items} if doc else {}
    wanted = {(e["plan"], e["section_no"], e["seq"]): e for e in expected}
    for key, e in wanted.items():
        score.total += len(FIELDS)
        item = parsed.get(key)
        label = "{} {}.{}".format(*key)
        if item is None:
            score.misses.append(f"{label}: not found")
            continue
        score.right += 1
        for name, got, want in (("title", item.title, e["title"]), ("months", item.months, e["months"]),
                                ("bodies", item.bodies, e["bodies"])):
            if got == want:
                score.right += 1
            else:
                score.misses.append(f"{label} {name}: {got!r} != {want!r}")
        score.invented += len(set(item.months) - set(e["months"])) + len(set(item.bodies) - set(e["bodies"]))
    for key, item in parsed.items():
        if key not in wanted:
            score.total += 1
            score.invented += len(item.months) + len(item.bodies)
            score.misses.append("{} {}.{}: not in the key ({})".format(*key, item.title[:30]))
    return score


def score_file(document: Path) -> DocumentScore:
    expected = json.loads(answer_key(document).read_text(encoding="utf-8"))["items"]
    try:
        doc = parse_plan(document.read_bytes())
    except PlanFormatError:
        doc = None
    return score_document(document.name, doc, expected)


def score_corpus(folder: Path) -> list[DocumentScore]:
    return [score_file(p) for p in corpus_documents(folder)]


def report_lines(scores: list[DocumentScore], verbose: bool = False) -> list[str]:
    """The score table: fields right / fields total per document, then overall."""
    width = max((len(s.name) for s in scores), default=10)
    lines = []
    for s in scores:
        lines.append(f"{s.name:<{width}}  {s.right:>4}/{s.total:<4} {100 * s.ratio:6.1f}%"
                     + (f"  invented {s.invented}" if s.invented else ""))
        if verbose:
            lines.extend(f"    {miss}" for miss in s.misses)
    right, total = sum(s.right for s in scores), sum(s.total for s in scores)
    invented = sum(s.invented for s in scores)
    overall = 100 * right / total if total else 100.0
    lines.append(f"{'overall':<{width}}  {right:>4}/{total:<4} {overall:6.1f}%  invented {invented}")
    return lines
