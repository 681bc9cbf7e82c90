"""Markdown to safe HTML, and readable diffs between two texts.

Stored text is Markdown; HTML is produced on every render and sanitised with
nh3 (an allow-list), so stored HTML is never trusted.
"""

import difflib
import re
from dataclasses import dataclass, field

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def _shift_headings(html):
    # A document's own "# Title" must not compete with the page's h1.
    return re.sub(r"<(/?)h1\b", r"<\1h2", html)


def render_markdown(text):
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    html = _shift_headings(html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 – sanitised by nh3 just above


# --- Diff -----------------------------------------------------------------------------------

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


@dataclass
class DiffLine:
    kind: str  # equal | insert | delete
    old_number: int | None
    new_number: int | None
    segments: list = field(default_factory=list)  # [(kind, text)] – changed words marked

    @property
    def marker(self):
        return {EQUAL: " ", INSERT: "+", DELETE: "−"}[self.kind]


@dataclass
class DiffHunk:
    lines: list
    skipped_before: int = 0


@dataclass
class TextDiff:
    hunks: list
    added: int
    removed: int

    @property
    def has_changes(self):
        return bool(self.added or self.removed)


_WORDS = re.compile(r"\s+|[^\s]+")


def _word_segments(old, new):
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    old_segments, new_segments = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            old_segments.append((EQUAL, "".join(a[i1:i2])))
            new_segments.append((EQUAL, "".join(b[j1:j2])))
        else:
            if i2 > i1:
                old_segments.append((DELETE, "".join(a[i1:i2])))
            if j2 > j1:
                new_segments.append((INSERT, "".join(b[j1:j2])))
    return old_segments, new_segments


def diff_texts(old, new, context=2):
    """Line diff of two texts with changed words marked inside changed lines.

    Unchanged stretches longer than ``context`` lines around changes are folded
    (``skipped_before`` says how many lines a hunk leaves out before it).
    """
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    lines = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                lines.append(DiffLine(EQUAL, i1 + k + 1, j1 + k + 1, [(EQUAL, a[i1 + k])]))
            continue
        old_block, new_block = a[i1:i2], b[j1:j2]
        removed += len(old_block)
        added += len(new_block)
        paired = min(len(old_block), len(new_block)) if tag == "replace" else 0
        old_lines, new_lines = [], []
        for k, text in enumerate(old_block):
            segments = [(DELETE, text)]
            if k < paired:
                segments, _new = _word_segments(text, new_block[k])
            old_lines.append(DiffLine(DELETE, i1 + k + 1, None, segments))
        for k, text in enumerate(new_block):
            segments = [(INSERT, text)]
            if k < paired:
                _old, segments = _word_segments(old_block[k], text)
            new_lines.append(DiffLine(INSERT, None, j1 + k + 1, segments))
        lines.extend(old_lines + new_lines)
    return TextDiff(_fold(lines, context), added, removed)


def _fold(lines, context):
    keep = [False] * len(lines)
    for index, line in enumerate(lines):
        if line.kind != EQUAL:
            for k in range(max(0, index - context), min(len(lines), index + context + 1)):
                keep[k] = True
    hunks, current, skipped = [], None, 0
    for index, line in enumerate(lines):
        if keep[index]:
            if current is None:
                current = DiffHunk([], skipped)
                hunks.append(current)
                skipped = 0
            current.lines.append(line)
        else:
            current = None
            skipped += 1
    return hunks
