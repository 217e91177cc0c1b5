"""Messages between widgets and the app: past-tense events."""

from __future__ import annotations

from textual.message import Message


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

