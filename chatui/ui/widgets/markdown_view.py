"""A streaming Markdown view that re-renders only its growing tail.

Finished blocks (see :mod:`chatui.blocks`) are rendered once per width into
strips; the tail block is re-rendered when :meth:`flush` runs, which the app
paces to the screen rather than to the deltas. The widget uses Textual's line
API, so a long answer is one widget whose layout cost is its line count.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from chatui.blocks import Block, BlockSplitter, merge_code_chunks
from chatui.i18n import _
from chatui.mathtext import has_math, render_math
from chatui.ui.widgets.lean import lean

CODE_THEME = "monokai"
_NUMBER = Style(reverse=True, bold=True)
_LANG = Style(dim=True)
_PREVIEW = Style(dim=True, italic=True)
# A long fence streamed in chunks is highlighted again as one piece when it ends, up to this
# size (characters): beyond it the chunks stay, so no block is too big to render again on scroll.
MERGE_LIMIT = 64_000
_first = itemgetter(0)


# One rendered line: its segments. Lines are kept as plain lists and made into Strips only to be
# painted: a Strip carries seven caches (~1.2 KB and 11 objects for the collector to walk; a list
# of segments ~0.2 KB and 3), and an answer keeps thousands of lines.
Line = list[Segment]


def _line_text(line: Line) -> str:
    return "".join([segment.text for segment in line])


def _plain(lines: list[Line]) -> str:
    """Rendered lines as plain text, without trailing padding."""
    return "\n".join([_line_text(line).rstrip() for line in lines])


def _blank(width: int) -> Line:
    return [Segment(" " * width)]


def _highlight(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """``strip`` with characters ``start``..``end`` (-1: to the end) in ``style`` (the selection)."""
    segments: list[Segment] = []
    pos = 0
    for text, seg_style, control in strip:
        size = len(text)
        a, b = max(start - pos, 0), size if end == -1 else min(end - pos, size)
        if control or a >= b:
            segments.append(Segment(text, seg_style, control))
        else:
            if a:
                segments.append(Segment(text[:a], seg_style))
            segments.append(Segment(text[a:b], seg_style + style if seg_style else style))
            if b < size:
                segments.append(Segment(text[b:], seg_style))
        pos += size
    return Strip(segments, strip.cell_length)


@lru_cache(maxsize=64)
def _lexer(name: str):
    """A Pygments lexer by name, looked up once: the lookup costs ~9 ms each time."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name or "text")
    except ClassNotFound:
        return get_lexer_by_name("text")


_PARSER = None


def prewarm() -> None:
    """Import the network and rendering stack (for a worker thread after the first frame)."""
    import chatui.chat  # noqa: F401  (httpx, httpx-sse)

    _lexer("python")  # Pygments' plugin scan happens once, here


def _markdown(markup: str):
    """Rich Markdown with one shared parser (a MarkdownIt per block cost a third of render time).

    Imported on first use: rich.markdown and its parser are not needed for the first frame.
    """
    global _PARSER
    from rich.markdown import Markdown

    if _PARSER is None:
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt().enable("strikethrough").enable("table")
    md = Markdown.__new__(Markdown)
    md.markup = markup
    md.parsed = _PARSER.parse(markup)
    md.code_theme = CODE_THEME
    md.justify = None
    md.style = "none"
    md.hyperlinks = False
    md.inline_code_lexer = None
    md.inline_code_theme = CODE_THEME
    return md


@dataclass(eq=False)
class _Layout:
    """What is rendered at one width: the lines of every rendered block, strips for a few."""

    width: int
    spans: list[tuple[int, int]] = field(default_factory=list)  # each rendered block's lines
    numbers: list[int] = field(default_factory=list)  # its code number (0: none), to render it again
    texts: list[str] = field(default_factory=list)  # its lines as plain text (selection): far smaller than strips
    strips: OrderedDict[int, list[Line]] = field(default_factory=OrderedDict)  # block index -> lines, least recent first
    kept: int = 0  # lines held in ``strips``
    lines: int = 0  # lines of the rendered blocks and the gaps between them
    chars: int = 0  # characters of the rendered blocks
    codes: int = 0  # code blocks numbered so far

    @property
    def rendered(self) -> int:
        """How many blocks are rendered at this width."""
        return len(self.spans)


class MarkdownView(Widget):
    """Markdown that can be appended to cheaply; ``flush`` brings the screen up to date."""

    DEFAULT_CSS = """
    MarkdownView { height: auto; width: 1fr; }
    """
    GROW_STEP = 6  # lines: see _height
    # Seconds of rendering per flush. Text can arrive faster than Markdown renders (a 10 MB
    # answer takes minutes to render): the view catches up a slice at a time, and keys typed
    # meanwhile are handled between slices instead of after the whole backlog.
    BUDGET = 0.006
    # At the end of a stream the rest is usually small: render it at once (up to this long), so
    # the answer's last line is on screen with its final frame; only a huge backlog goes on in slices.
    FINISH_BUDGET = 0.4
    # A backlog this small (characters) is rendered whole whatever the budget: at any ordinary
    # rate that is one frame's text, and the view must stay on the newest line.
    WHOLE = 8_000
    # Rendered lines kept (about 0.3 KB each); blocks further from the ones last shown keep only
    # their line count and text, and are rendered again if scrolled back to. Without this bound a
    # 10 MB answer held ~1 GB of strips, and a never-ending stream grew without end.
    KEEP_LINES = 3_000
    STYLED_LINES = 1_024  # styled lines cached for painting (those on screen, and some)
    # When this much text (characters) waits to be rendered, the newest text is shown below it
    # unformatted (plain text wraps ~10x faster than Markdown renders), so the view follows the
    # stream at any speed; the formatted text takes its place as the backlog is rendered.
    PREVIEW_AFTER = 64_000
    PREVIEW_CHARS = 2_000  # how much of the newest text the preview shows
    PREVIEW_EVERY = 0.06  # seconds: the preview is made again at most this often (slices run every few ms)

    def __init__(self, text: str = "", *, number_code: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        lean(self)
        self.number_code = number_code  # a numbered title line above each code block (keys 1-9 copy them)
        self.splitter = BlockSplitter()
        self._mv_layout = _Layout(0)
        self._mv_tail: list[Line] = []
        self._mv_dirty = False
        self._mv_catching_up = False  # a timer will flush again: finished blocks wait to be rendered
        self._mv_streamed = False  # text came by append: render in slices (given whole: mostly at once)
        self._mv_closed = False
        self._mv_fed = 0  # characters appended (the preview is made again only when this changes)
        self._mv_preview: tuple[tuple[int, int], list[Line], float] | None = None
        self._mv_holding = False  # the following scroll was asked to hold its end (a preview shows)
        self._mv_counted = 0  # finished blocks whose characters are in _mv_block_chars
        self._mv_block_chars = 0
        self._mv_base = None
        self._mv_frame_style = None
        self._mv_styled: dict[int, Strip] = {}
        # what was rendered at another width: a layout may ask for the height at two widths
        # (a scroll container with and without its scrollbar), and rendering everything again
        # at each switch made every frame cost the whole answer
        self._mv_parked: dict[int, _Layout] = {}
        if text:
            self.splitter.feed_all(text)
            self.splitter.close()
            # finished text: long fences highlight as one piece from the start
            self.splitter.blocks = merge_code_chunks(self.splitter.blocks, MERGE_LIMIT)
            self._mv_closed = True

    # -- feeding ------------------------------------------------------------------
    @property
    def text(self) -> str:
        """All text fed so far (control characters removed)."""
        return self.splitter.text

    @property
    def closed(self) -> bool:
        """Whether the text is complete (given whole, or the stream finished)."""
        return self._mv_closed

    @property
    def _mv_width(self) -> int:
        return self._mv_layout.width

    @property
    def _mv_rendered_blocks(self) -> int:
        return self._mv_layout.rendered

    def append(self, delta: str) -> None:
        """Add streamed text; cheap, nothing is rendered until :meth:`flush`."""
        self._mv_streamed = True
        self._mv_fed += len(delta)
        self.splitter.feed(delta)
        self._mv_dirty = True

    def reset(self, text: str) -> None:
        """Replace everything (the server's final text differed from the deltas)."""
        self.splitter = BlockSplitter()
        self.splitter.feed_all(text)
        self._mv_preview = None
        self._mv_counted = self._mv_block_chars = 0
        self._mv_parked.clear()
        self._mv_styled.clear()
        self._mv_layout = _Layout(self._mv_layout.width)
        self._mv_dirty = True

    def finish(self) -> None:
        """End of stream: close open blocks and render the final state."""
        self.splitter.close()
        self._mv_closed = True
        self._mv_dirty = True
        self.flush(self.FINISH_BUDGET)
        if self.is_mounted:
            self.refresh(layout=True)  # the stepped streaming height shrinks to the real one
            if any(b.kind == "code" and b.joined for b in self.splitter.blocks):
                # Long fences streamed in chunks, each highlighted on its own; once the
                # answer is on screen, highlight each fence once as a whole.
                self.set_timer(0.3, self._merge_fences)

    def _merge_fences(self) -> None:
        blocks = self.splitter.blocks
        lay = self._mv_layout
        if not lay.width or lay.rendered != len(blocks):
            return
        groups: list[tuple[int, int]] = []
        for index, block in enumerate(blocks):
            if block.kind == "code" and block.joined and index and blocks[index - 1].kind == "code":
                if groups and groups[-1][1] == index - 1:
                    groups[-1] = (groups[-1][0], index)
                else:
                    groups.append((index - 1, index))
        for first, last in reversed(groups):
            if sum(len(block.text) for block in blocks[first : last + 1]) > MERGE_LIMIT:
                continue  # a huge fence stays in chunks: one block is rendered again whole when scrolled back to
            merged = merge_code_chunks(blocks[first : last + 1])[0]
            strips = self._render_block(merged, lay.width, lay.numbers[first])
            start, end = lay.spans[first][0], lay.spans[last][1]
            shift = len(strips) - (end - start)
            gone = last - first
            lay.spans[first : last + 1] = [(start, start + len(strips))]
            for k in range(first + 1, len(lay.spans)):
                a, b = lay.spans[k]
                lay.spans[k] = (a + shift, b + shift)
            del lay.numbers[first + 1 : last + 1]
            lay.texts[first : last + 1] = [_plain(strips)]
            kept = OrderedDict((k if k < first else k - gone, v) for k, v in lay.strips.items() if not first <= k <= last)
            lay.strips, lay.kept = kept, sum(len(v) for v in kept.values())
            lay.lines += shift
            blocks[first : last + 1] = [merged]
            self._store(lay, first, strips)
        lay.chars = sum(len(block.text) for block in blocks)
        self._mv_counted = self._mv_block_chars = 0
        self._mv_parked.clear()
        self._mv_styled.clear()
        self.refresh(layout=True)

    # -- rendering ----------------------------------------------------------------
    def _render_block(self, block: Block, width: int, number: int = 0) -> list[Line]:
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False, markup=False)
        if block.kind == "code":
            from rich.syntax import Syntax

            renderable = Syntax(block.text, _lexer(block.lang.lower()), theme=CODE_THEME, word_wrap=True, padding=(0, 1))
        else:
            text = block.text
            if has_math(text):
                text = render_math(text)  # LaTeX shown as Unicode; the source is what is saved and copied
            renderable = _markdown(text)
        try:
            lines = console.render_lines(renderable, options, pad=False, new_lines=False)
        except Exception:  # noqa: BLE001 - malformed Markdown must not crash the app
            lines = console.render_lines(Text(block.text), options, pad=False, new_lines=False)
        # Rich pads some elements (lists, quotes) with blank lines; block gaps are ours to add.
        while lines and not _line_text(lines[-1]).strip():
            lines.pop()
        first = 0
        while first < len(lines) and not _line_text(lines[first]).strip():
            first += 1
        if first:
            del lines[:first]
        if number and self.number_code:
            title = [Segment(" " + _("code {number}").format(number=number) + " ", _NUMBER), Segment(f" {block.lang}" if block.lang else "", _LANG)]
            lines.insert(0, list(Strip(title).crop_extend(0, width, None)))
        return lines

    def _number(self, block: Block) -> int:
        """The number of a code block's title (0: a continuation chunk or not code)."""
        if block.kind != "code" or block.joined:
            return 0
        return self._mv_layout.codes + 1

    def _store(self, lay: _Layout, index: int, strips: list[Line]) -> None:
        """Keep a block's strips, dropping those of the blocks least recently shown beyond KEEP_LINES."""
        old = lay.strips.pop(index, None)
        if old is not None:
            lay.kept -= len(old)
        lay.strips[index] = strips
        lay.kept += len(strips)
        while lay.kept > self.KEEP_LINES and len(lay.strips) > 1:
            _, dropped = lay.strips.popitem(last=False)
            lay.kept -= len(dropped)

    def _append_block(self, block: Block, width: int, first: bool) -> None:
        lay = self._mv_layout
        if not first and not block.joined:
            lay.lines += 1  # the blank line between blocks
        number = self._number(block)
        lay.codes += bool(number)
        strips = self._render_block(block, width, number)
        start = lay.lines
        lay.lines += len(strips)
        lay.spans.append((start, lay.lines))
        lay.numbers.append(number)
        lay.texts.append(_plain(strips))
        lay.chars += len(block.text)
        self._store(lay, len(lay.spans) - 1, strips)

    def _line(self, y: int) -> Line:
        """Committed line ``y``: from the kept strips, or its block rendered again."""
        lay = self._mv_layout
        index = bisect_right(lay.spans, y, key=_first) - 1
        if index < 0 or y >= lay.spans[index][1]:
            return _blank(lay.width)  # a gap between blocks
        strips = lay.strips.get(index)
        if strips is None:
            strips = self._render_block(self.splitter.blocks[index], lay.width, lay.numbers[index])
            self._store(lay, index, strips)
        else:
            lay.strips.move_to_end(index)
        offset = y - lay.spans[index][0]
        return strips[offset] if offset < len(strips) else _blank(lay.width)

    def _ensure(self, width: int, budget: float | None = None) -> None:
        """Render whatever is not rendered at ``width``."""
        if width <= 0:
            return
        if width != self._mv_layout.width:
            wanted = self._mv_parked.pop(width, None) or _Layout(width)
            self._mv_parked.clear()  # the last other width only; a resize drops the rest
            if self._mv_layout.width:
                self._mv_parked[self._mv_layout.width] = self._mv_layout
            self._mv_layout = wanted
            self._mv_styled.clear()
            self._mv_dirty = True
        blocks = self.splitter.blocks
        if budget is None:  # text given whole (a conversation opening) is mostly rendered at once; a stream in slices
            budget = self.BUDGET if self._mv_streamed else self.FINISH_BUDGET
        index = self._mv_layout.rendered
        if len(blocks) - index <= 64 and sum(len(block.text) for block in blocks[index:]) <= self.WHOLE:
            budget = float("inf")  # a frame's worth of new text: render it all, the view stays on the newest line
        deadline = time.perf_counter() + budget
        while index < len(blocks):
            self._append_block(blocks[index], width, index == 0)
            index += 1
            if time.perf_counter() > deadline and index < len(blocks):
                break
        if index < len(blocks):
            # behind: the tail is drawn once the blocks before it are; a big backlog shows the newest text meanwhile
            self._mv_tail = self._preview(blocks, index, width)
            if self._mv_tail or self._mv_holding:  # renewed while a preview shows, released once
                self._hold_end(bool(self._mv_tail))
            self._catch_up()
            return
        self._mv_preview = None
        if self._mv_holding:
            self._hold_end(False)
        tail = None if self._mv_closed else self.splitter.tail()
        if tail is None:
            self._mv_tail = []
        else:
            strips = self._render_block(tail, width, self._number(tail))
            if blocks and not tail.joined:
                strips = [_blank(width), *strips]
            self._mv_tail = strips
        self._mv_dirty = False

    def _preview(self, blocks: list[Block], index: int, width: int) -> list[Line]:
        """The newest text as plain text, then a note on how much is still to format (nothing while the backlog is small)."""
        if self._mv_counted < len(blocks):  # counted as they come: summing them all per slice cost ~10 ms at 10 MB
            self._mv_block_chars += sum(len(block.text) for block in blocks[self._mv_counted :])
            self._mv_counted = len(blocks)
        waiting = self._mv_block_chars - self._mv_layout.chars
        if waiting < self.PREVIEW_AFTER:
            return []
        from chatui.attachments import human_size

        key = (self._mv_fed, width)
        now = time.perf_counter()
        if self._mv_preview is None or (self._mv_preview[0] != key and (now - self._mv_preview[2] >= self.PREVIEW_EVERY or key[1] != self._mv_preview[0][1])):
            parts: list[str] = []
            size = 0
            tail = None if self._mv_closed else self.splitter.tail()
            newest = ([tail] if tail is not None else []) + [blocks[k] for k in range(len(blocks) - 1, max(index, len(blocks) - 64) - 1, -1)]
            for block in newest:
                parts.append(block.text)
                size += len(block.text) + 2
                if size >= self.PREVIEW_CHARS:
                    break
            text = "\n\n".join(reversed(parts))[-self.PREVIEW_CHARS :]
            self._mv_preview = (key, self._plain_lines(Text(text), width), now)
        note = _("⋯ {size} still to format; the newest text above is shown plain").format(size=human_size(waiting))
        return [_blank(width), *self._mv_preview[1], _blank(width), *self._plain_lines(Text(note, style=_PREVIEW), width)]

    def _plain_lines(self, text: Text, width: int) -> list[Line]:
        """``text`` wrapped to ``width``, no Markdown (the preview)."""
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False, markup=False)
        return console.render_lines(text, options, pad=False, new_lines=False)

    def _hold_end(self, hold: bool) -> None:
        """Ask the following scroll around this view to keep its end in view within each layout (see Following.hold_end)."""
        from chatui.ui.widgets.follow import Following

        self._mv_holding = hold
        for node in self.ancestors:
            if isinstance(node, Following):
                node.hold_end(hold)
                return

    def _catch_up(self) -> None:
        """Render the next slice soon (a timer, so input is handled in between)."""
        if not self._mv_catching_up and self.is_mounted:
            self._mv_catching_up = True
            self.set_timer(0.004, self._next_slice)

    def _next_slice(self) -> None:
        self._mv_catching_up = False
        self._mv_dirty = True
        self.flush(self.BUDGET)

    def flush(self, budget: float | None = None) -> None:
        """Render new blocks (for at most ``budget`` seconds, default BUDGET) and the tail; relayout only if the height changed."""
        if not self._mv_dirty or not self.is_mounted:
            return
        committed_before = self._mv_layout.lines
        before = self._height()
        width = self._mv_layout.width or self.content_region.width
        self._ensure(width, budget)
        after = self._height()
        # repaint only the lines that can have changed (the old tail onwards);
        # relayout only when the height changed
        start = min(committed_before, self._mv_layout.lines)
        self.refresh(Region(0, start, max(width, 1), max(after - start, 1)), layout=after != before)

    def _height(self) -> int:
        lines = self._mv_layout.lines + len(self._mv_tail)
        if self._mv_closed or not self.GROW_STEP:
            return lines
        # While streaming, grow in steps: every height change costs a full relayout
        # of the screen, and a few blank lines below the tail cost nothing.
        step = self.GROW_STEP
        return -(-lines // step) * step

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Height is the number of rendered lines at this width (stepped while streaming)."""
        # While a preview shows, only the catch-up timer renders: a layout that rendered a slice too
        # would grow the view again after each scroll to its end, and the preview would fall below it.
        if width != self._mv_layout.width or (self._mv_dirty and not (self._mv_catching_up and self._mv_preview is not None)):
            self._ensure(width)
        return self._height()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Compute the widget's base style once per paint, not once per line."""
        self._mv_frame_style = self.rich_style  # colours under segments that set none
        try:
            return super().render_lines(crop)
        finally:
            self._mv_frame_style = None

    def render_line(self, y: int) -> Strip:
        """One line, from the committed blocks or the tail, with the selection shown.

        Offsets on the strip tell Textual which character the mouse is over (selection).
        """
        base = self._mv_frame_style or self.rich_style
        if base != self._mv_base:
            self._mv_base = base
            self._mv_styled.clear()
        lines = self._mv_layout.lines
        if y < lines:
            # finished lines never change: style each once
            strip = self._mv_styled.get(y)
            if strip is None:
                if len(self._mv_styled) >= self.STYLED_LINES:
                    self._mv_styled.clear()
                strip = self._mv_styled[y] = Strip(self._line(y)).apply_style(base)
        elif y - lines < len(self._mv_tail):
            strip = Strip(self._mv_tail[y - lines]).apply_style(base)
        else:
            return Strip.blank(self.size.width, base)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            strip = _highlight(strip, *span, self.screen.get_component_rich_style("screen--selection"))
        return strip.apply_offsets(0, y)

    def line_texts(self) -> list[str]:
        """Every line as it reads on screen, without trailing padding (blank gaps included)."""
        lay = self._mv_layout
        out: list[str] = []
        line = 0
        for (start, end), text in zip(lay.spans, lay.texts):
            out.extend([""] * (start - line))
            if end > start:
                out.extend(text.split("\n"))
            line = end
        out.extend([""] * (lay.lines - line))
        out.extend(_line_text(line).rstrip() for line in self._mv_tail)
        return out

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as it reads on screen (each line without its trailing padding)."""
        return selection.extract("\n".join(self.line_texts())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        """Repaint to show the new selection."""
        self.refresh()

    def on_resize(self) -> None:
        """Re-wrap at the new width."""
        width = self.content_region.width
        if width != self._mv_layout.width:
            self._ensure(width)
            self.refresh(layout=True)
