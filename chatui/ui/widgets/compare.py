"""Compare: one prompt answered by several models at once, in columns that stream side by side."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static
from textual.worker import Worker

from chatui.conversation import Turn
from chatui.cost import usd
from chatui.i18n import N_, _, ngettext
from chatui.session import Session
from chatui.ui.gcpause import calm_gc, settle_gc
from chatui.ui.messages import BranchRequested, LiveStats, TurnFinished, TurnStarted
from chatui.ui.widgets.conversation import (
    FRAME_RATE,
    AssistantMessage,
    ConversationView,
)
from chatui.ui.widgets.follow import Following
from chatui.updates import AnswerDelta, AnswerReplaced

MIN_BODY = 4  # lines of answer a column shows at least, however many columns share the view


class ColumnBody(Following, VerticalScroll):
    """A column's answer, scrolled on its own and following its own stream (label and status stay put)."""


class PickButton(Static):
    """'Continue with this one', under each column once the comparison ended (a click picks)."""

    def on_click(self) -> None:
        column = self.parent
        if isinstance(column, CompareColumn):
            column.action_pick()


class CompareColumn(AssistantMessage):
    """One model's answer in a comparison: 1-4 or enter (or a click) continue with it, s stops it."""

    BINDINGS = [
        Binding("enter", "pick", N_("Continue with this one")),
        Binding("1", "pick_number(1)", N_("Pick column"), key_display="1-4"),
        *(Binding(str(n), f"pick_number({n})", N_("Pick column"), show=False) for n in range(2, 5)),

        Binding("5,6,7,8,9", "nothing", show=False),  # not code copies here: these keys are the columns
        Binding("s", "stop_one", N_("Stop this one")),

    ]

    def __init__(self, turn: Turn, number: int) -> None:
        super().__init__(turn)
        self.number = number
        self.lines = 0  # the answer area's height, set by the row (fit)
        self.scroller = ColumnBody(classes="column-body")
        self.pick_button = PickButton(Text("▶ " + _("continue here ({number})").format(number=number)), classes="pick")


    def compose(self):
        yield self.label
        with self.scroller:
            yield from self.answer_parts()
        yield self.status_line
        yield self.pick_button

    def label_start(self) -> Text:
        """The column's number: its key."""
        return Text.assemble((f" {self.number} ", "reverse bold"), " ")

    def refresh_status(self) -> None:
        """The status line, and what a comparison is about: first token, speed, tokens."""
        super().refresh_status()
        turn, t = self.turn, self.turn.timings
        facts = []
        if t.first_token is not None:
            facts.append(_("first token {seconds} s").format(seconds=f"{t.first_token:.2f}"))
        if t.tokens_per_second:
            facts.append(_("{rate} tok/s").format(rate=f"{t.tokens_per_second:,.0f}"))
        if turn.usage and turn.usage.output_tokens is not None:
            n = turn.usage.output_tokens
            facts.append(ngettext("{n} token", "{n} tokens", n).format(n=f"{n:,}"))
        if turn.cost is not None:
            facts.append(usd(turn.cost.usd))
        if facts:
            line = Text(" · ".join(facts), style="dim")
            self.status_line.update(Text.assemble(self.status_text, "\n", line) if self.status_text.plain else line)
            self.status_line.display = True

    def fit(self, lines: int) -> None:
        """Show at most ``lines`` of answer; more scrolls inside the column.

        While streaming the answer area has that height outright: a height that depends on
        the content makes every layout measure the answer at two widths (with and without
        the scrollbar). Once the answer ended it shrinks to fit a short one.
        """
        self.lines = max(MIN_BODY, lines)
        styles = self.scroller.styles
        if self.body.closed:
            styles.height, styles.max_height = "auto", self.lines
        else:
            styles.height, styles.max_height = self.lines, None

    def finish(self) -> None:
        """The answer ended: final text and status, and an answer area no taller than the answer."""
        super().finish()
        if self.lines:
            self.fit(self.lines)

    def action_stop_one(self) -> None:
        """Stop this model's answer; the others go on."""
        self.post_message(BranchRequested(self.turn.id, action="stop"))

    def action_pick(self) -> None:
        """Continue the conversation from this answer (the others stay as branches)."""
        self.post_message(BranchRequested(self.turn.id, action="pick"))

    def action_pick_number(self, number: int) -> None:
        """Continue from column ``number`` of this comparison."""
        row = self.parent
        if isinstance(row, CompareRow) and number <= len(row.columns):
            row.columns[number - 1].action_pick()

    def action_nothing(self) -> None:
        """Swallow a key that means something elsewhere."""


class CompareRow(Horizontal):
    """The answers of a comparison, one column each (stacked on a narrow terminal).

    Each column is at most a view high and follows its own stream, so every model's
    latest words are on screen at once, whichever answers at length.
    """

    def __init__(self, turns: list[Turn], done: bool = False) -> None:
        super().__init__(classes="compare-row -done" if done else "compare-row")
        self.turns = turns
        self.columns = [CompareColumn(turn, n) for n, turn in enumerate(turns, 1)]
        for column in self.columns:
            column.scroller.pinned = not done  # answers reopened read from their start

    def compose(self):
        yield from self.columns

    def on_mount(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Size the columns to the conversation view: side by side each gets its height, stacked a share."""
        view = self.parent
        if not isinstance(view, ConversationView):
            return
        height = view.scrollable_content_region.height or view.size.height
        stacked = self.app.has_class("-narrow")
        chrome = 7  # the column's label, up to three status lines, the pick line, its margin and a spare line
        share = height // len(self.columns) if stacked else height
        for column in self.columns:
            column.fit(share - chrome)

    def stream(self, session: Session) -> Worker:
        """Stream every column at once (cancelled by session.stop(), which stops them all)."""
        return self._run(session)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run(self, session: Session) -> None:
        stats = LiveStats()
        self.post_message(TurnStarted(self.turns[0], stats))
        timer = self.set_interval(1 / FRAME_RATE, self._frame)
        try:
            async with session.streaming_all(self.turns) as streams:
                await asyncio.gather(*(self._feed(column, updates, stats) for column, updates in zip(self.columns, streams)))
        finally:
            timer.stop()
            for column in self.columns:
                column.finish()  # those stopped before their stream ended
                column.scroller.follow()
            self.add_class("-done")  # now a column can be picked
            view = self.parent
            if isinstance(view, ConversationView):
                view.follow()
            settle_gc(self, lambda: session.streaming is None)
            self.post_message(TurnFinished(self.turns[0]))

    async def _feed(self, column: CompareColumn, updates, stats: LiveStats) -> None:
        async for update in updates:
            if type(update) is AnswerDelta:
                column.body.append(update.text)
                stats.text(len(update.text), 0)
            elif type(update) is AnswerReplaced:
                column.body.reset(update.text)
        column.finish()  # this one is done, whatever the others do
        column.scroller.follow()

    def _frame(self) -> None:
        for column in self.columns:
            column.body.flush()
            column.scroller.follow()
        calm_gc()
        view = self.parent
        if isinstance(view, ConversationView):
            view.follow()
