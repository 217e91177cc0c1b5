"""The attachments waiting for the next message, as chips above the prompt."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from chatui.i18n import N_
from chatui.text import strip_controls


class DetachRequested(Message):
    """A chip asked to be removed (its 1-based number, as /detach N takes)."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class Chip(Static, can_focus=True):
    """One attachment: '📎 1 photo.png · image · 1.2 MB ✕'; delete, backspace, x or a click on ✕ removes it."""

    BINDINGS = [Binding("delete,backspace,x", "remove", N_("Remove"))]


    def __init__(self, number: int, description: str) -> None:
        super().__init__(Text.assemble(("📎 ", ""), (f"{number} ", "bold"), strip_controls(description), ("  ✕", "bold")), classes="chip")
        self.number = number

    def action_remove(self) -> None:
        """Take this file off the next message."""
        self.post_message(DetachRequested(self.number))

    def on_click(self, event) -> None:
        # the ✕ is the last two cells; anywhere else focuses the chip
        if event.x >= self.size.width - 3:
            self.action_remove()
        else:
            self.focus()


class Chips(Horizontal):
    """The row of chips; hidden when nothing is attached."""

    def show(self, descriptions: list[str]) -> None:
        """Show one chip per attachment (numbered as /detach takes them)."""
        self.remove_children()
        self.mount_all([Chip(n, d) for n, d in enumerate(descriptions, 1)])
        self.display = bool(descriptions)
