"""Messages between widgets and the app: past-tense events."""

from __future__ import annotations

import time

from textual.message import Message

from chatui.conversation import Turn
from chatui.updates import RetryScheduled


class PromptSubmitted(Message):
    """The user pressed Enter in the prompt."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TurnSelected(Message):
    """An assistant turn got focus: show its reasoning and usage."""

    def __init__(self, turn_id: str) -> None:
        super().__init__()
        self.turn_id = turn_id


class CopyRequested(Message):
    """A copy key on a focused message: ``what`` as /copy takes it, from that turn."""

    def __init__(self, turn_id: str, what: str) -> None:
        super().__init__()
        self.turn_id = turn_id
        self.what = what


class BranchRequested(Message):
    """A key on a focused message: show a sibling (``step`` -1/+1), answer again ("retry") or edit ("edit")."""

    def __init__(self, turn_id: str, step: int = 0, action: str = "switch") -> None:
        super().__init__()
        self.turn_id = turn_id
        self.step = step
        self.action = action


class LiveStats:
    """What a streaming turn has done so far, kept by the view, read by the status line and panes."""

    __slots__ = ("started", "first_text", "last_text", "answer_chars", "reasoning_chars", "retry", "retry_at")

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.first_text: float | None = None
        self.last_text: float | None = None
        self.answer_chars = 0
        self.reasoning_chars = 0
        self.retry: RetryScheduled | None = None
        self.retry_at = 0.0

    def text(self, answer: int, reasoning: int) -> None:
        """Text arrived (answer and reasoning characters)."""
        now = time.monotonic()
        if self.first_text is None:
            self.first_text = now
        self.last_text = now
        self.answer_chars += answer
        self.reasoning_chars += reasoning
        self.retry = None

    def retrying(self, retry: RetryScheduled) -> None:
        """The request goes out again after a wait."""
        self.retry, self.retry_at = retry, time.monotonic()

    @property
    def est_tokens(self) -> int:
        """Tokens so far, estimated from characters (about four per token) until the server counts them."""
        return (self.answer_chars + self.reasoning_chars + 3) // 4


class TurnStarted(Message):
    """A turn began streaming."""

    def __init__(self, turn: Turn, stats: LiveStats) -> None:
        super().__init__()
        self.turn = turn
        self.stats = stats


class ReasoningStreamed(Message):
    """Reasoning arrived since the last frame (``replace``: it replaces all shown so far)."""

    def __init__(self, turn: Turn, text: str, replace: bool = False) -> None:
        super().__init__()
        self.turn = turn
        self.text = text
        self.replace = replace


class TurnProgressed(Message):
    """A streaming turn's live counts (about once a second)."""

    def __init__(self, turn: Turn, stats: LiveStats) -> None:
        super().__init__()
        self.turn = turn
        self.stats = stats


class TurnFinished(Message):
    """A turn ended (completed, failed, stopped or cut off) and holds its outcome."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn


class ViewResized(Message):
    """The conversation view changed size (the terminal was resized, or a pane toggled)."""


class ScrollRequested(Message):
    """A key in the prompt asks to scroll the conversation: "page_up", "page_down", "home" or "end"."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where


class PathsPasted(Message):
    """The prompt was pasted the path of one or more existing files (terminals paste a drag-and-drop so)."""

    def __init__(self, paths: list, text: str) -> None:
        super().__init__()
        self.paths = paths
        self.text = text
