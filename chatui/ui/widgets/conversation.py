"""The conversation: user and assistant turns, newest at the bottom."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from chatui.conversation import Turn
from chatui.text import strip_controls
from chatui.turn import Status
from chatui.ui.messages import TurnSelected
from chatui.ui.widgets.markdown_view import MarkdownView

# How many turns are mounted when a long conversation opens; more on request.
INITIAL_TURNS = 30

_STATUS_LABEL = {
    Status.STREAMING: "streaming…",
    Status.COMPLETED: "",
    Status.INCOMPLETE: "incomplete",
    Status.FAILED: "failed",
    Status.CANCELLED: "stopped",
    Status.CUT: "cut off",
}


class UserMessage(Vertical):
    """What the user wrote, shown as plain text."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="user-message")
        self.turn = turn

    def compose(self):
        yield Static(Text("You", style="bold"), classes="role")
        yield MarkdownView(self.turn.user_text, plain=True, classes="user-text")


class AssistantMessage(Vertical, can_focus=True):
    """One answer: a label with the model and status, the Markdown, and a status line."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="assistant-message")
        self.turn = turn
        done = turn.status is not Status.STREAMING
        self.body = MarkdownView(turn.answer if done else "", classes="answer")
        self.label = Static(classes="role")
        self.status_line = Static(classes="status-line")

    def compose(self):
        yield self.label
        yield self.body
        yield self.status_line

    def on_mount(self) -> None:
        self.refresh_status()

    def on_focus(self) -> None:
        self.post_message(TurnSelected(self.turn.id))

    def on_click(self) -> None:
        self.focus()

    def refresh_status(self) -> None:
        """Update the label and status line from the turn."""
        turn = self.turn
        label = Text()
        label.append(strip_controls(turn.model) or "assistant", style="bold")
        state = _STATUS_LABEL.get(turn.status, str(turn.status))
        if state:
            label.append(f"  · {state}", style="italic")
        self.label.update(label)
        for status in Status:
            self.set_class(turn.status is status, f"-{status.value}")
        lines = Text()
        if turn.status is Status.INCOMPLETE:
            reason = turn.incomplete_reason or "unknown"
            hint = " — raise it with /set max_output_tokens N" if reason == "max_output_tokens" else ""
            lines.append(f"Stopped early: {reason}{hint}")
        elif turn.error and turn.status is not Status.COMPLETED:
            lines.append(strip_controls(turn.error.get("message") or "Error"))
            if turn.error.get("server_message") and turn.error.get("server_message") not in turn.error.get("message", ""):
                lines.append("\nServer said: " + strip_controls(str(turn.error["server_message"])), style="dim")
            if turn.status in (Status.FAILED, Status.CUT, Status.CANCELLED):
                lines.append("\n/retry to send again · /edit to change the prompt", style="dim")
        self.status_line.update(lines)
        self.status_line.display = bool(lines.plain)


class EarlierTurns(Static):
    """A marker for turns not mounted yet; click (or ctrl+b) to show more."""

    def on_click(self) -> None:
        self.app.action_show_earlier()  # type: ignore[attr-defined]


class ConversationView(VerticalScroll):
    """Scrollable list of turns that follows the bottom while it streams."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hidden_turns: list[Turn] = []
        self.assistant: dict[str, AssistantMessage] = {}

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Reaching the top by scrolling shows older turns."""
        super().watch_scroll_y(old, new)
        if new <= 0 < old and self.hidden_turns:
            self.show_earlier()

    @property
    def at_bottom(self) -> bool:
        """Whether the view is scrolled to (or near) the end."""
        return self.scroll_y >= self.max_scroll_y - 2

    def clear_turns(self) -> None:
        """Remove every turn."""
        self.hidden_turns = []
        self.assistant = {}
        self.remove_children()

    def _widgets_for(self, turn: Turn) -> list:
        answer = AssistantMessage(turn)
        self.assistant[turn.id] = answer
        return [UserMessage(turn), answer]

    def load(self, turns: list[Turn]) -> None:
        """Show a whole conversation: the last turns mounted, the rest on request."""
        self.clear_turns()
        self.hidden_turns = list(turns[:-INITIAL_TURNS]) if len(turns) > INITIAL_TURNS else []
        shown = turns[len(self.hidden_turns):]
        widgets = []
        if self.hidden_turns:
            widgets.append(self._marker())
        for turn in shown:
            widgets.extend(self._widgets_for(turn))
        if widgets:
            self.mount_all(widgets)
        self.call_after_refresh(self.scroll_end, animate=False)

    def _marker_text(self) -> Text:
        return Text(f"▲ {len(self.hidden_turns)} earlier turns — scroll up, click or press ctrl+b to show more", style="dim italic")

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

    def add_turn(self, turn: Turn) -> AssistantMessage:
        """Append a new turn (user message and an empty streaming answer)."""
        widgets = self._widgets_for(turn)
        self.mount_all(widgets)
        self.scroll_end(animate=False)
        return widgets[1]

    def remove_turn(self, turn: Turn) -> None:
        """Remove a turn's widgets (retry replaces the last turn)."""
        self.assistant.pop(turn.id, None)
        for child in list(self.children):
            if getattr(child, "turn", None) is turn:
                child.remove()

    def add_note(self, text: str, classes: str = "note") -> None:
        """A system note in the flow (help, model switch, errors not tied to a turn)."""
        self.mount(Static(Text(strip_controls(text)), classes=classes))
        self.scroll_end(animate=False)
