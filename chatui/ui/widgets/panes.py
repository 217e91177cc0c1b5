"""Side panes: the reasoning of a turn, and token usage."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from chatui.context import Gauge
from chatui.conversation import Conversation, Turn
from chatui.cost import spent_text, usd
from chatui.i18n import _, ngettext
from chatui.text import strip_controls
from chatui.turn import Status, Usage
from chatui.ui.messages import (
    LiveStats,
    ReasoningStreamed,
    TurnFinished,
    TurnProgressed,
    TurnStarted,
)
from chatui.ui.widgets.follow import FollowingScroll
from chatui.ui.widgets.markdown_view import MarkdownView


class ReasoningPane(FollowingScroll):
    """Reasoning summaries and raw reasoning text, streaming or of a selected turn."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = _("Reasoning")
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
        self.pinned = streaming  # a live turn's reasoning follows; a past one reads from the top
        self.scroll_home(animate=False)
        label = _("Reasoning") + (f" · {strip_controls(turn.model)}" if turn else "")
        if turn is not None and not streaming and not turn.reasoning:
            label += " " + _("(none)")
        self.border_title = Text(label)  # a Text: a model id like "[/x]" is never read as markup
        self.set_class(not new.text, "-empty")

    def on_resize(self) -> None:
        """A resize or a pane toggle keeps the end in view (unless the reader scrolled up)."""
        self.follow()

    def streamed(self, turn: Turn, text: str, replace: bool = False) -> None:
        """Reasoning that arrived since the last frame (``replace``: all of it so far)."""
        if turn.id != self.turn_id:
            return
        if replace:
            self.view.reset(text)
        else:
            self.view.append(text)
        self.set_class(not self.view.text, "-empty")
        if self.display:
            self.view.flush()
            self.follow()

    def finished(self, turn: Turn) -> None:
        """The turn ended: show its final reasoning."""
        if turn.id != self.turn_id:
            return
        if self.view.text != strip_controls(turn.reasoning):
            self.view.reset(turn.reasoning)
        self.view.finish()
        self.follow()
        self.border_title = Text(_("Reasoning") + f" · {strip_controls(turn.model)}" + ("" if turn.reasoning else " " + _("(none)")))

        self.set_class(not self.view.text, "-empty")


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


class UsagePane(Static):
    """Token counts of the last (or selected) turn and the session."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = _("Usage")
        self._rows = 0

    def show(self, turn: Turn | None, session: Usage, live: LiveStats | None = None, spent: tuple[Decimal | None, int] = (None, 0), gauge: Gauge | None = None) -> None:
        """Render the table for ``turn`` and the session totals (relayout only when the rows change).

        ``spent`` is the conversation's cost and how many turns had none; ``gauge`` how full the context is.
        """
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="dim")
        table.add_column(justify="right")
        table.add_column(justify="right", style="dim")
        self.border_title = _("Usage")
        table.add_row("", Text(_("turn"), style="bold"), Text(_("session"), style="bold"))
        u = turn.usage if turn and turn.usage else Usage()
        # while streaming, the server has not counted yet: estimate from the text (marked ~)
        est = (lambda chars: f"~{(chars + 3) // 4:,}") if live is not None and turn and not turn.usage else None
        for key, label, mine, total in (
            ("input", _("input"), u.input_tokens, session.input_tokens),
            ("cached", _("cached"), u.cached_tokens, session.cached_tokens),
            ("output", _("output"), u.output_tokens, session.output_tokens),
            ("reasoning", _("reasoning"), u.reasoning_tokens, session.reasoning_tokens),
            ("total", _("total"), u.total_tokens, session.total_tokens),
        ):
            shown = _n(mine)
            if est is not None and live is not None:
                shown = {"output": est(live.answer_chars + live.reasoning_chars), "reasoning": est(live.reasoning_chars)}.get(key, shown)
            table.add_row(label, shown, _n(total))
        t = turn.timings if turn else None
        ttft = f"{t.first_token:.2f} s" if t and t.first_token is not None else "–"
        tps = f"{t.tokens_per_second:,.0f}" if t and t.tokens_per_second else "–"
        if turn is not None and turn.cost is not None or spent[0] is not None:
            table.add_row(_("cost"), usd(turn.cost.usd) if turn is not None and turn.cost is not None else "–", spent_text(spent) or "–")
        if gauge is not None:
            table.add_row(_("context"), Text(gauge.describe(), style="bold yellow" if gauge.warn else ""), "")
        table.add_row(_("first token"), ttft, "")
        table.add_row(_("tokens/s"), tps, "")
        if live is not None:
            chars = live.answer_chars + live.reasoning_chars
            table.add_row(_("streaming"), ngettext("{n} char", "{n} chars", chars).format(n=f"{chars:,}"), "")

        layout, self._rows = table.row_count != self._rows, table.row_count
        self.update(table, layout=layout)


class SidePanes(Vertical):
    """The reasoning and usage panes: they observe the conversation view's turn messages."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gauge_for: Callable[[Turn], Gauge | None] = lambda turn: None  # how full the context was after a turn
        self.turn: Turn | None = None  # the turn the panes show

    def compose(self):
        yield ReasoningPane(id="reasoning")
        yield UsagePane(id="usage")

    @property
    def reasoning(self) -> ReasoningPane:
        """The reasoning pane."""
        return self.query_one(ReasoningPane)

    @property
    def usage(self) -> UsagePane:
        """The usage pane."""
        return self.query_one(UsagePane)

    def shown(self, reasoning: bool, usage: bool) -> None:
        """Show or hide each pane (and the column when both are hidden)."""
        self.reasoning.display, self.usage.display = reasoning, usage
        self.display = reasoning or usage

    def show_turn(self, turn: Turn | None, conversation: Conversation) -> None:
        """Show a finished (or no) turn's reasoning and usage."""
        self.reasoning.show_turn(turn)
        self._show_usage(turn, conversation)

    def refresh_usage(self, conversation: Conversation) -> None:
        """Show the same turn's usage again (costs or context lengths arrived)."""
        if self.turn is None or self.turn.status is not Status.STREAMING:
            self._show_usage(self.turn, conversation)

    def _show_usage(self, turn: Turn | None, conversation: Conversation, live: LiveStats | None = None) -> None:
        self.turn = turn
        gauge = self.gauge_for(turn) if turn is not None and live is None else None
        self.usage.show(turn, conversation.usage_total(), live=live, spent=conversation.cost_total(), gauge=gauge)

    def observe(self, event: Message, conversation: Conversation) -> None:
        """Follow a streaming turn from the view's messages."""
        if isinstance(event, TurnStarted):
            self.reasoning.show_turn(event.turn, streaming=True)
        elif isinstance(event, ReasoningStreamed):
            self.reasoning.streamed(event.turn, event.text, event.replace)
        elif isinstance(event, TurnProgressed):
            if self.usage.display:
                self._show_usage(event.turn, conversation, live=event.stats)
        elif isinstance(event, TurnFinished):
            self.reasoning.finished(event.turn)
            self._show_usage(event.turn, conversation)
