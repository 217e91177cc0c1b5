"""Splitting streamed Markdown into blocks that never change once finished.

A renderer re-renders only the growing tail; every finished block is
rendered once. Blocks end at a blank line outside a code fence, at a fence's
open/close, at the start of each top-level list item (so a growing list costs
what a paragraph does), and every ``CODE_CHUNK`` lines inside a long fence (so
a growing code block does too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatui.text import strip_controls

CODE_CHUNK = 40
# A paragraph longer than this is cut into pieces, each finished once: re-rendering one
# growing megabyte paragraph per frame is quadratic. A cut falls on a space after a
# sentence or word, outside code spans and emphasis; the next piece joins it (no gap).
PARA_CHUNK = 4_000
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


@dataclass(slots=True)
class Block:
    """A finished or growing piece of the document."""

    kind: str  # "md" or "code"
    text: str
    lang: str = ""
    joined: bool = False  # continues the previous block: no blank line between them
    closed_fence: bool = True  # for code: the fence has been closed (or the chunk is complete)


class BlockSplitter:
    """Feed text deltas; read ``blocks`` (finished) and ``tail()`` (growing)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._lines: list[str] = []
        self._lines_chars = 0
        self._partial_parts: list[str] = []  # the incomplete last line, in pieces: one long line is never copied per delta
        self._partial_len = 0
        self._cut_at = PARA_CHUNK  # the paragraph size at which the next cut is tried
        self._fence: str | None = None
        self._lang = ""
        self._joined = False
        self._list = False
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        """Everything fed so far (control characters removed)."""
        if len(self.text_parts) > 1:
            self.text_parts = ["".join(self.text_parts)]
        return self.text_parts[0] if self.text_parts else ""

    def feed(self, delta: str) -> int:
        """Add a delta; return how many blocks it finished."""
        delta = strip_controls(delta)
        if not delta:
            return 0
        self.text_parts.append(delta)
        before = len(self.blocks)
        if "\n" not in delta:
            self._partial_parts.append(delta)
            self._partial_len += len(delta)
        else:
            lines = (self._take_partial() + delta).split("\n")
            self._set_partial(lines.pop())
            for line in lines:
                self._line(line)
        size = self._lines_chars + self._partial_len
        if size > self._cut_at and self._fence is None and not self._list:
            # no safe place yet: try again a little later, and past 4 chunks cut anyway
            self._cut_at = PARA_CHUNK if self._cut_paragraph(force=size > 4 * PARA_CHUNK) else size + PARA_CHUNK // 4
        return len(self.blocks) - before

    def feed_all(self, text: str) -> None:
        """Feed a whole text in slices, so a long paragraph is cut into pieces as if it had streamed."""
        for start in range(0, len(text), 2_048):
            self.feed(text[start : start + 2_048])

    @property
    def _partial(self) -> str:

        if len(self._partial_parts) > 1:
            self._partial_parts = ["".join(self._partial_parts)]
        return self._partial_parts[0] if self._partial_parts else ""

    def _take_partial(self) -> str:
        text = self._partial
        self._set_partial("")
        return text

    def _set_partial(self, text: str) -> None:
        self._partial_parts = [text] if text else []
        self._partial_len = len(text)

    def _cut_paragraph(self, force: bool) -> bool:
        """Finish the front of a long paragraph as its own block (the rest goes on growing); False: no safe place."""
        if any(line.lstrip().startswith("|") for line in self._lines[:2]):
            return False  # a table: its rows only read as one
        if self._lines_chars >= PARA_CHUNK // 2 and (force or _balanced("\n".join(self._lines))):
            self._commit_md()
            self._joined = True
            return True
        text = self._partial
        cut = _cut_point(text, len(text) - 80, force)  # keep the last words growing: they may still open emphasis
        if cut <= 0:
            return False
        head = "\n".join([*self._lines, text[:cut]]) if self._lines else text[:cut]
        self.blocks.append(Block("md", head, joined=self._joined))
        self._lines, self._lines_chars = [], 0
        self._set_partial(text[cut:].lstrip(" "))
        self._joined = True
        return True

    def close(self) -> int:
        """End of stream: finish the tail (closing any open fence)."""
        before = len(self.blocks)
        if self._partial_len:
            self._line(self._take_partial())
        if self._fence is not None:
            self._commit_code(closed=True)
            self._fence = None
        else:
            self._commit_md()
        return len(self.blocks) - before

    def tail(self) -> Block | None:
        """The growing block (with the incomplete last line), or None."""
        lines = self._lines + ([self._partial] if self._partial_len else [])
        if self._fence is not None:
            body = lines[1:] if lines and _FENCE.match(lines[0]) and not self._joined else lines
            return Block("code", "\n".join(body), self._lang, self._joined, closed_fence=False)
        if not any(s.strip() for s in lines):
            return None
        return Block("md", "\n".join(lines), joined=self._joined)

    # -- line machine ----------------------------------------------------------
    def _line(self, line: str) -> None:
        if self._fence is not None:
            stripped = line.strip()
            if stripped.startswith(self._fence) and set(stripped) == {self._fence[0]}:
                self._commit_code(closed=True)
                self._fence = None
                return
            self._lines.append(line)
            self._lines_chars += len(line) + 1
            if len(self._lines) >= CODE_CHUNK:
                self._commit_code(closed=False)
            return
        m = _FENCE.match(line)
        if m:
            self._commit_md()
            self._fence = m.group(1)
            self._lang = m.group(2)
            self._lines, self._lines_chars = [line], len(line) + 1
            self._joined = False
            return
        if not line.strip():
            self._commit_md()
            self._list = False
            return
        if _LIST_ITEM.match(line):
            if self._lines and self._list:
                self._commit_md()
                self._joined = True
            elif not self._lines:
                self._joined = False
            self._list = True
        elif not self._lines:
            self._list = False
        self._lines.append(line)
        self._lines_chars += len(line) + 1

    def _commit_md(self) -> None:
        if any(s.strip() for s in self._lines):
            self.blocks.append(Block("md", "\n".join(self._lines), joined=self._joined))
        self._lines, self._lines_chars = [], 0
        self._joined = False

    def _commit_code(self, *, closed: bool) -> None:
        lines = self._lines
        if lines and not self._joined and _FENCE.match(lines[0]):
            lines = lines[1:]  # the opening fence line
        self.blocks.append(Block("code", "\n".join(lines), self._lang, self._joined, closed_fence=closed))
        self._lines, self._lines_chars = [], 0
        self._joined = not closed  # the next chunk continues this fence
        if closed:
            self._joined = False


def _balanced(text: str) -> bool:
    """Whether no code span, emphasis or link is left open at the end of ``text`` (cheap, conservative)."""
    return text.count("`") % 2 == 0 and text.count("**") % 2 == 0 and text.count("[") == text.count("]") and text.count("$") % 2 == 0


def _cut_point(text: str, before: int, force: bool = False) -> int:
    """Where to cut ``text`` (just after a sentence's end or a space, at most ``before``); 0 when no safe place is near."""
    low = max(0, before - PARA_CHUNK // 2)
    for mark in (". ", "。", "！", "？", "! ", "? ", "; ", ", ", " "):
        at = text.rfind(mark, low, before)
        tries = 0
        while at > 0 and tries < 8:  # a few candidates per mark: each check reads the whole front
            cut = at + len(mark)
            if force or _balanced(text[:cut]):
                return cut
            at, tries = text.rfind(mark, low, at), tries + 1
    return before if force and before > 0 else 0


def merge_code_chunks(blocks: list[Block], limit: int | None = None) -> list[Block]:
    """Join the chunks of long code fences back into one block each (into pieces up to ``limit`` characters)."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (block.kind == "code" and block.joined and prev is not None and prev.kind == "code"
                and (limit is None or len(prev.text) + len(block.text) < limit)):
            out[-1] = Block("code", prev.text + "\n" + block.text, prev.lang, prev.joined, block.closed_fence)
        else:
            out.append(block)
    return out


def split_all(text: str) -> list[Block]:
    """Split a whole document (for finished turns)."""
    splitter = BlockSplitter()
    splitter.feed(text)
    splitter.close()
    return splitter.blocks


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a document, chunks joined back together."""
    out: list[str] = []
    for block in split_all(text):
        if block.kind != "code":
            continue
        if block.joined and out:
            out[-1] += "\n" + block.text
        else:
            out.append(block.text)
    return out


def close_fences(text: str) -> str:
    """``text`` with a closing fence added if it ends inside a code fence."""
    splitter = BlockSplitter()
    splitter.feed(text + "\n")
    if splitter._fence is None:
        return text
    return text.rstrip("\n") + "\n" + splitter._fence
