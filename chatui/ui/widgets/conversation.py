"""The conversation: user and assistant turns, newest at the bottom."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import aclosing
from pathlib import Path

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker

from chatui import items
from chatui.conversation import Compaction, Turn
from chatui.cost import usd
from chatui.i18n import N_, _, ngettext
from chatui.session import Session
from chatui.text import strip_controls
from chatui.turn import Status
from chatui.ui.gcpause import calm_gc, settle_gc
from chatui.ui.messages import (
    BranchRequested,
    CopyRequested,
    LiveStats,
    ReasoningStreamed,
    TurnFinished,
    TurnProgressed,
    TurnSelected,
    TurnStarted,
    ViewResized,
)
from chatui.ui.widgets.follow import FollowingScroll
from chatui.ui.widgets.items import ItemLines, sources_text
from chatui.ui.widgets.lean import lean
from chatui.ui.widgets.markdown_view import MarkdownView
from chatui.updates import (
    AnswerDelta,
    AnswerReplaced,
    ReasoningDelta,
    ReasoningReplaced,
    RetryScheduled,
    Update,
)

# How many turns are mounted when a long conversation opens; more on request.
INITIAL_TURNS = 30
FRAME_RATE = 15  # repaints per second while streaming: paced to the screen, not to the deltas
PROGRESS_EVERY = 1.0  # seconds between live progress messages (the usage pane's count)

class UserMessage(Vertical, can_focus=True):
    """What the user wrote, shown as plain text."""

    BINDINGS = [Binding("c", "copy", N_("Copy")), Binding("e", "edit", N_("Edit (branch)"))]

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="user-message")
        self.turn = turn

    def compose(self):
        yield Static(Text(_("You"), style="bold"), classes="role")
        if self.turn.attachments:
            yield Static(Text("\n".join("📎 " + strip_controls(a.describe()) for a in self.turn.attachments)), classes="attachments")
        # exactly as typed: a user's message is not Markdown (fence lines and all stay)
        yield Static(Text(strip_controls(self.turn.user_text)), classes="user-text")

    def action_copy(self) -> None:
        """Copy this prompt."""
        self.post_message(CopyRequested(self.turn.id, "prompt"))

    def action_edit(self) -> None:
        """Put this message into the prompt; sending it starts a branch here."""
        self.post_message(BranchRequested(self.turn.id, action="edit"))


class AssistantMessage(Vertical, can_focus=True):
    """One answer: a label with the model and status, the Markdown, and a status line."""

    BINDINGS = [
        Binding("c", "copy('')", N_("Copy")),
        Binding("1", "copy('code 1')", N_("Copy code"), key_display="1-9"),
        *(Binding(str(n), f"copy('code {n}')", N_("Copy code"), show=False) for n in range(2, 10)),
        Binding("r", "copy('reasoning')", N_("Copy reasoning"), show=False),
        Binding("R", "retry", N_("Answer again")),
        Binding("v", "side_by_side", N_("Side by side"), show=False),
        Binding("left", "branch(-1)", N_("‹ Branch"), show=False),
        Binding("right", "branch(1)", N_("Branch ›"), show=False),

    ]

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="assistant-message")
        lean(self)  # as tall as its answer
        self.turn = turn
        done = turn.status is not Status.STREAMING
        said, answer = items.answer_view(turn.answer, turn.items) if done else ("", "")
        self.body = MarkdownView(answer, number_code=True, classes="answer")
        self.label = Static(classes="role")
        self.commentary = Static(Text(said), classes="commentary")
        self.before, self.after = ItemLines(), ItemLines()
        self.sources = Static(classes="sources")
        self.status_line = Static(classes="status-line")

    def answer_parts(self) -> list:
        """What lies between the label and the status line: commentary, items, the answer, sources."""
        return [self.commentary, self.before, self.body, self.after, self.sources]

    def compose(self):
        yield self.label
        yield from self.answer_parts()
        yield self.status_line

    def on_mount(self) -> None:
        self.refresh_status()
        self.show_items()

    def finish(self) -> None:
        """The turn ended: its final text as shown (commentary apart, citation markers in), status and items."""
        if self.body.closed:
            return  # finished already
        shown = items.answer_view(self.turn.answer, self.turn.items)[1]
        if self.body.text != strip_controls(shown):
            self.body.reset(shown)
        self.body.finish()
        self.refresh_status()
        self.show_items()

    def show_items(self) -> None:
        """Commentary, tool calls, hosted tools and sources, from the turn's items (once it ended)."""
        turn = self.turn
        said = items.commentary(turn.items)
        self.commentary.update(Text(said))
        self.commentary.display = bool(said)
        view = self.parent
        files = view.images_for(turn) if isinstance(view, ConversationView) else {}
        before, after = items.around_text(turn.items, files)
        self.before.show(before)
        self.after.show(after)
        cited = items.sources(turn.items)
        self.sources.update(sources_text(cited) if cited else "")
        self.sources.display = bool(cited)
        self.set_class(items.refused(turn.items), "-refused")

    def on_focus(self) -> None:
        self.post_message(TurnSelected(self.turn.id))

    def action_copy(self, what: str) -> None:
        """Copy this answer, one of its code blocks or its reasoning."""
        self.post_message(CopyRequested(self.turn.id, what))

    def action_branch(self, step: int) -> None:
        """Show another answer to the same message (a branch)."""
        self.post_message(BranchRequested(self.turn.id, step))

    def action_side_by_side(self) -> None:
        """This answer and the other answers to the same message, in columns."""
        self.post_message(BranchRequested(self.turn.id, action="side"))

    def action_retry(self) -> None:
        """Answer this message again; this answer stays as a branch."""
        self.post_message(BranchRequested(self.turn.id, action="retry"))

    def on_click(self) -> None:
        self.focus()

    def label_start(self) -> Text:
        """What the label shows before the model's name."""
        return Text()

    def refresh_status(self) -> None:
        """Update the label and status line from the turn."""
        turn = self.turn
        label = self.label_start()
        label.append(strip_controls(turn.model) or _("assistant"), style="bold")
        view = self.parent
        index, count = view.branch_of(turn) if isinstance(view, ConversationView) else (1, 1)
        if count > 1:
            label.append(f"  ‹{index}/{count}›", style="bold")
            label.append(" ← → · " + _("v side by side"), style="dim")
        state = "" if turn.status is Status.COMPLETED else turn.status.label
        if turn.status is Status.COMPLETED and items.refused(turn.items):
            state = _("refused")
        if state:
            label.append(f"  · {state}", style="italic")
        if turn.cost is not None:
            label.append(f"  {usd(turn.cost.usd)}", style="dim")
        self.label.update(label)
        for status in Status:
            self.set_class(turn.status is status, f"-{status.value}")
        lines = Text()
        if turn.status is Status.INCOMPLETE:
            reason = turn.incomplete_reason or "unknown"
            hint = " — " + _("raise it with /set max_output_tokens N") if reason == "max_output_tokens" else ""
            lines.append(_("Stopped early: {reason}").format(reason=strip_controls(reason)) + hint)

        elif turn.error and turn.status is not Status.COMPLETED:
            lines.append(strip_controls(turn.error.get("message") or _("Error")))
            if turn.error.get("server_message") and turn.error.get("server_message") not in turn.error.get("message", ""):
                lines.append("\n" + _("Server said: {words}").format(words=strip_controls(str(turn.error["server_message"]))), style="dim")
            if turn.status in (Status.FAILED, Status.CUT, Status.CANCELLED):
                lines.append("\n" + _("/retry to send again · /edit to change the prompt"), style="dim")
        self.status_text = lines
        self.status_line.update(lines)
        self.status_line.display = bool(lines.plain)


class CompactionNote(Static):
    """Where a summary took over: the turns above are sent as this summary from now on."""

    def __init__(self, compaction: Compaction) -> None:
        said = ngettext("the turn above is sent as this summary by {model}", "the {n} turns above are sent as this summary by {model}", compaction.turns)
        head = Text("⇡ " + said.format(n=compaction.turns, model=strip_controls(compaction.model)), style="bold")
        if compaction.cost is not None:
            head.append(f"  {usd(compaction.cost.usd)}", style="dim")
        super().__init__(Text.assemble(head, "\n", Text(strip_controls(compaction.summary), style="italic")), classes="compaction")


class EarlierTurns(Static):
    """A marker for turns not mounted yet; click (or ctrl+b) to show more."""

    def on_click(self) -> None:
        view = self.parent
        if isinstance(view, ConversationView):
            view.show_earlier()


class NewTextBelow(Static):
    """'↓ new text below': shown while an answer streams below a reader who scrolled up."""

    DEFAULT_CSS = """
    NewTextBelow { dock: bottom; width: auto; height: 1; padding: 0 1; background: $accent; color: $text; display: none; }
    """

    def on_click(self) -> None:
        view = self.parent
        if isinstance(view, ConversationView):
            view.pin()


class _Live:
    """The turn being streamed into the view, and what is waiting for the next frame."""

    __slots__ = ("turn", "widget", "reasoning", "reasoning_replaced", "stats", "progress_at", "timer")

    def __init__(self, turn: Turn, widget: AssistantMessage) -> None:
        self.turn = turn
        self.widget = widget
        self.reasoning: list[str] = []
        self.reasoning_replaced = False
        self.stats = LiveStats()
        self.progress_at = time.monotonic()
        self.timer = None


class ConversationView(FollowingScroll):
    """Scrollable list of turns; it paints the streaming turn and follows the end.

    The view posts past-tense messages (TurnStarted, ReasoningStreamed,
    TurnProgressed, TurnFinished) for the panes.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hidden_turns: list[Turn] = []
        self.assistant: dict[str, AssistantMessage] = {}
        self.compacted: set[str] = set()
        self.live: _Live | None = None
        self.images_for: Callable[[Turn], dict[int, Path]] = lambda turn: {}  # where generated images are saved
        self.branch_of: Callable[[Turn], tuple[int, int]] = lambda turn: (1, 1)  # ‹2/3›: which answer of how many

    def compose(self):
        yield NewTextBelow("↓ " + _("new text below · ctrl+end or click to follow"))

    def scroll_for(self, where: str) -> None:
        """Scroll as a key in the prompt asked ("end" re-pins)."""
        if where == "end":
            self.pin()
        elif where == "home":
            self.scroll_home(animate=False)
        elif where == "page_up":
            self.scroll_page_up(animate=False)
        else:
            self.scroll_page_down(animate=False)

    def pin(self) -> None:
        """Jump to the end and keep following it."""
        super().pin()
        self.query_one(NewTextBelow).display = False

    def on_resize(self) -> None:
        """Resizes and pane toggles keep the end in view."""
        self.follow()
        self.post_message(ViewResized())

    def fit_compare(self) -> None:
        """Size comparison columns to the view (after a resize, or columns stacking)."""
        for row in self.query(".compare-row"):
            row.fit()

    # -- streaming -----------------------------------------------------------------
    def stream(self, session: Session, turn: Turn) -> Worker:
        """Show ``turn`` and stream it from ``session`` in a worker (cancelled by session.stop())."""
        self.begin_stream(turn)
        return self._run(session, turn)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run(self, session: Session, turn: Turn) -> None:
        feed = self.feed
        try:
            async with aclosing(session.run(turn)) as updates:
                async for update in updates:
                    feed(update)
        finally:
            self.end_stream()

    def begin_stream(self, turn: Turn) -> AssistantMessage:
        """Add ``turn`` and start painting it at the frame rate."""
        widget = self.add_turn(turn)
        live = self.live = _Live(turn, widget)
        live.timer = self.set_interval(1 / FRAME_RATE, self._frame)
        self.post_message(TurnStarted(turn, live.stats))
        return widget

    def feed(self, update: Update) -> None:
        """Take one update of the streaming turn; nothing is painted until the next frame."""
        live = self.live
        if live is None:
            return
        kind = type(update)
        if kind is AnswerDelta:
            live.widget.body.append(update.text)
            live.stats.text(len(update.text), 0)
        elif kind is ReasoningDelta:
            live.reasoning.append(update.text)
            live.stats.text(0, len(update.text))
        elif kind is AnswerReplaced:
            live.widget.body.reset(update.text)
        elif kind is ReasoningReplaced:
            live.reasoning = [update.text]
            live.reasoning_replaced = True
        elif kind is RetryScheduled:
            live.stats.retrying(update)

    def _frame(self) -> None:
        """Paced repaint of whatever streamed since the last frame."""
        live = self.live
        if live is None:
            return
        live.widget.body.flush()
        calm_gc()
        self.follow()
        self.query_one(NewTextBelow).display = not self.pinned
        self._post_reasoning(live)
        now = time.monotonic()
        if now - live.progress_at >= PROGRESS_EVERY:
            live.progress_at = now
            self.post_message(TurnProgressed(live.turn, live.stats))

    def _post_reasoning(self, live: _Live) -> None:
        if live.reasoning or live.reasoning_replaced:
            self.post_message(ReasoningStreamed(live.turn, "".join(live.reasoning), live.reasoning_replaced))
            live.reasoning = []
            live.reasoning_replaced = False

    def end_stream(self) -> None:
        """The turn ended: paint its final state and tell the panes."""
        live, self.live = self.live, None
        if live is None:
            return
        if live.timer is not None:
            live.timer.stop()
        turn = live.turn
        self._post_reasoning(live)
        live.widget.finish()
        self.follow()
        self.query_one(NewTextBelow).display = False
        settle_gc(self, lambda: self.live is None)
        self.post_message(TurnFinished(turn))

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Following as for any FollowingScroll; reaching the top shows older turns."""
        super().watch_scroll_y(old, new)
        if new <= 0 < old and self.hidden_turns:
            self.show_earlier()

    def show_path(self, turns: list[Turn]) -> None:
        """Show ``turns`` unless they are what is shown already (a new branch continues another path)."""
        shown = [*self.hidden_turns, *(w.turn for w in self.query(AssistantMessage))]
        if [t.id for t in shown] != [t.id for t in turns]:
            self.load(turns)

    def clear_turns(self) -> None:
        """Remove every turn."""
        self.hidden_turns = []
        self.assistant = {}
        self.query(".user-message, .assistant-message, .compare-row, .note, .earlier, .compaction").remove()

    def _widgets_for(self, turn: Turn) -> list:
        answer = AssistantMessage(turn)
        self.assistant[turn.id] = answer
        widgets = [UserMessage(turn), answer]
        if turn.id in self.compacted:
            for widget in widgets:
                widget.add_class("-compacted")
        if turn.compaction is not None:
            widgets.append(CompactionNote(turn.compaction))
        return widgets

    def load(self, turns: list[Turn]) -> None:
        """Show a whole conversation: the last turns mounted, the rest on request."""
        self.clear_turns()
        through = max((i + 1 for i, t in enumerate(turns) if t.compaction is not None), default=0)
        self.compacted = {t.id for t in turns[:through]}  # sent as a summary now: shown dimmed
        self.hidden_turns = list(turns[:-INITIAL_TURNS]) if len(turns) > INITIAL_TURNS else []
        shown = turns[len(self.hidden_turns):]
        widgets = []
        if self.hidden_turns:
            widgets.append(self._marker())
        for turn in shown:
            widgets.extend(self._widgets_for(turn))
        if widgets:
            self.mount_all(widgets)
        self.pinned = True
        self.follow()

    def _marker_text(self) -> Text:
        n = len(self.hidden_turns)
        return Text("▲ " + ngettext("{n} earlier turn — scroll up, click or press ctrl+b to show more",
                                    "{n} earlier turns — scroll up, click or press ctrl+b to show more", n).format(n=n), style="dim italic")


    def _marker(self) -> EarlierTurns:
        return EarlierTurns(self._marker_text(), classes="earlier")

    def show_earlier(self, count: int = INITIAL_TURNS) -> None:
        """Mount up to ``count`` more of the hidden older turns at the top."""
        markers = self.query(EarlierTurns)
        if not self.hidden_turns or not markers:
            return
        marker = markers.first()
        batch = self.hidden_turns[-count:]
        self.hidden_turns = self.hidden_turns[:-count]
        widgets = []
        for turn in batch:
            widgets.extend(self._widgets_for(turn))
        self.mount_all(widgets, after=marker)
        if self.hidden_turns:
            marker.update(self._marker_text())
        else:
            marker.remove()

    def add_compare(self, turns: list[Turn], done: bool = False):
        """Append a comparison: the prompt once, then one column per model (a CompareRow; ``done``: answers that ended)."""
        from chatui.ui.widgets.compare import CompareRow

        row = CompareRow(turns, done)
        self.mount_all([UserMessage(turns[0]), row])
        for column in row.columns:
            self.assistant[column.turn.id] = column
        self.pinned = True
        self.follow()
        return row

    def append_turns(self, turns: list[Turn]) -> None:
        """Append finished turns below what is shown."""
        widgets = [w for turn in turns for w in self._widgets_for(turn)]
        if widgets:
            self.mount_all(widgets)

    def add_turn(self, turn: Turn) -> AssistantMessage:
        """Append a new turn (user message and an empty streaming answer)."""
        widgets = self._widgets_for(turn)
        self.mount_all(widgets)
        self.pinned = True  # sending a message brings the view back to the end
        self.follow()
        return widgets[1]

    def add_note(self, text: str, classes: str = "note") -> None:
        """A system note in the flow (help, model switch, errors not tied to a turn)."""
        self.mount(Static(Text(strip_controls(text)), classes=classes))
        self.scroll_end(animate=False)
