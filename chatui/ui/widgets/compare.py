"""Compare: one prompt answered by several models at once, in columns that stream side by side."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.worker import Worker

from chatui.conversation import Turn
from chatui.session import Session
from chatui.ui.messages import BranchRequested, LiveStats, TurnFinished, TurnStarted
from chatui.ui.gcpause import calm_gc, settle_gc
from chatui.ui.widgets.conversation import FRAME_RATE, AssistantMessage, ConversationView
from chatui.updates import AnswerDelta, AnswerReplaced


class CompareColumn(AssistantMessage):
    """One model's answer in a comparison; enter continues the conversation with it."""

    BINDINGS = [Binding("enter", "pick", "Continue with this one"), Binding("s", "stop_one", "Stop this one")]

    def refresh_status(self) -> None:
        """The status line, plus what a comparison is about: first token, speed, tokens."""
        super().refresh_status()
        turn, t = self.turn, self.turn.timings
        facts = []
        if t.first_token is not None:
            facts.append(f"first token {t.first_token:.2f} s")
        if t.tokens_per_second:
            facts.append(f"{t.tokens_per_second:,.0f} tok/s")
        if turn.usage and turn.usage.output_tokens is not None:
            facts.append(f"{turn.usage.output_tokens:,} tokens")
        if facts:
            line = Text(" · ".join(facts), style="dim")
            self.status_line.update(Text.assemble(self.status_text, "\n", line) if self.status_text.plain else line)
            self.status_line.display = True

    def action_stop_one(self) -> None:
        """Stop this model's answer; the others go on."""
        self.post_message(BranchRequested(self.turn.id, action="stop"))

    def action_pick(self) -> None:
        """Continue the conversation from this answer (the others stay as branches)."""
        self.post_message(BranchRequested(self.turn.id, action="pick"))


class CompareRow(Horizontal):
    """The answers of a comparison, one column each (stacked on a narrow terminal)."""

    DEFAULT_CSS = """
    CompareRow { height: auto; }
    CompareRow > CompareColumn { width: 1fr; margin: 1 1 0 0; }
    """

    def __init__(self, turns: list[Turn]) -> None:
        super().__init__(classes="compare-row")
        self.turns = turns
        self.columns = [CompareColumn(turn) for turn in turns]

    def compose(self):
        yield from self.columns

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

    def _frame(self) -> None:
        for column in self.columns:
            column.body.flush()
        calm_gc()
        view = self.parent
        if isinstance(view, ConversationView):
            view.follow()
