"""A pasted file path: attach the file, or paste the text after all."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from chatui.text import strip_controls


class AttachOffer(ModalScreen[bool]):
    """'Attach photo.png?': enter attaches, escape pastes the path as text."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Paste as text"), Binding("enter", "dismiss(True)", "Attach")]
    CSS_PATH = "attach_offer.tcss"

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = paths

    def compose(self):
        names = ", ".join(strip_controls(p.name) for p in self.paths)
        what = "this file" if len(self.paths) == 1 else f"these {len(self.paths)} files"
        with Vertical(id="offer"):
            yield Label(Text.assemble(("You pasted the path of " + what + ": ", "bold"), names))
            yield Label(Text("Attach it to your next message, or paste the path as text?", style="dim"))
            with Horizontal():
                yield Button("Attach (enter)", id="attach", variant="primary")
                yield Button("Paste as text (esc)", id="paste")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "attach")
