"""Messages between widgets and the app: past-tense events."""

from __future__ import annotations

from textual.message import Message

from chatui.conversation import Turn


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



class TurnStarted(Message):
    """A turn began streaming."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn


class ReasoningStreamed(Message):
    """Reasoning arrived since the last frame (``replace``: it replaces all shown so far)."""

    def __init__(self, turn: Turn, text: str, replace: bool = False) -> None:
        super().__init__()
        self.turn = turn
        self.text = text
        self.replace = replace


class TurnProgressed(Message):
    """A streaming turn's live count (about once a second)."""

    def __init__(self, turn: Turn, chars: int) -> None:
        super().__init__()
        self.turn = turn
        self.chars = chars


class TurnFinished(Message):
    """A turn ended (completed, failed, stopped or cut off) and holds its outcome."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
