"""Side panes: the reasoning of a turn, and token usage."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from chatui.conversation import Turn
from chatui.text import strip_controls
from chatui.turn import Usage
from chatui.ui.widgets.markdown_view import MarkdownView


class ReasoningPane(VerticalScroll):
    """Reasoning summaries and raw reasoning text, streaming or of a selected turn."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Reasoning"
        self.view = MarkdownView(classes="reasoning")
        self.turn_id: str | None = None

    def compose(self):
        yield self.view

    def show_turn(self, turn: Turn | None, streaming: bool = False) -> None:
        """Show ``turn``'s reasoning (empty for a streaming turn, filled by ``streamed``)."""
        self.turn_id = turn.id if turn else None
        new = MarkdownView("" if streaming or turn is None else turn.reasoning, classes="reasoning")
        self.view.remove()
        self.view = new
        self.mount(new)
        label = f"Reasoning · {turn.model}" if turn else "Reasoning"
        if turn is not None and not streaming and not turn.reasoning:
            label += " (none)"
        self.border_title = label

    def streamed(self, turn: Turn, text: str, replace: bool = False) -> None:
        """Reasoning that arrived since the last frame (``replace``: all of it so far)."""
        if turn.id != self.turn_id:
            return
        if replace:
            self.view.reset(text)
        else:
            self.view.append(text)
        if self.display:
            follow = self.scroll_y >= self.max_scroll_y - 1  # the reader scrolled up: leave them there
            self.view.flush()
            if follow:
                self.scroll_end(animate=False)

    def finished(self, turn: Turn) -> None:
        """The turn ended: show its final reasoning."""
        if turn.id != self.turn_id:
            return
        if self.view.text != strip_controls(turn.reasoning):
            self.view.reset(turn.reasoning)
        self.view.finish()
        self.border_title = f"Reasoning · {turn.model}" + ("" if turn.reasoning else " (none)")


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


class UsagePane(Static):
    """Token counts of the last (or selected) turn and the session."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Usage"
        self._rows = 0

    def show(self, turn: Turn | None, session: Usage, live_chars: int | None = None) -> None:
        """Render the table for ``turn`` and the session totals (relayout only when the rows change)."""
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="dim")
        table.add_column(justify="right")
        table.add_column(justify="right", style="dim")
        table.add_row("", Text("turn", style="bold"), Text("session", style="bold"))
        u = turn.usage if turn and turn.usage else Usage()
        for label, mine, total in (
            ("input", u.input_tokens, session.input_tokens),
            ("cached", u.cached_tokens, session.cached_tokens),
            ("output", u.output_tokens, session.output_tokens),
            ("reasoning", u.reasoning_tokens, session.reasoning_tokens),
            ("total", u.total_tokens, session.total_tokens),
        ):
            table.add_row(label, _n(mine), _n(total))
        t = turn.timings if turn else None
        ttft = f"{t.first_token:.2f} s" if t and t.first_token is not None else "–"
        tps = f"{t.tokens_per_second:,.0f}" if t and t.tokens_per_second else "–"
        table.add_row("first token", ttft, "")
        table.add_row("tokens/s", tps, "")
        if live_chars is not None:
            table.add_row("streaming", f"{live_chars:,} chars", "")
        layout, self._rows = table.row_count != self._rows, table.row_count
        self.update(table, layout=layout)
