"""A pasted file path: attach the file, or paste the text after all."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from chatui.i18n import N_, _, ngettext
from chatui.text import strip_controls


class AttachOffer(ModalScreen[bool]):
    """'Attach photo.png?': enter attaches, escape pastes the path as text."""

    BINDINGS = [Binding("escape", "dismiss(False)", N_("Paste as text")), Binding("enter", "dismiss(True)", N_("Attach"))]
    CSS_PATH = "attach_offer.tcss"

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = paths

    def compose(self):
        names = ", ".join(strip_controls(p.name) for p in self.paths)
        n = len(self.paths)
        said = ngettext("You pasted the path of this file:", "You pasted the paths of these {n} files:", n).format(n=n)
        with Vertical(id="offer"):
            yield Label(Text.assemble((said + " ", "bold"), names))
            yield Label(Text(ngettext("Attach it to your next message, or paste the path as text?",
                                      "Attach them to your next message, or paste the paths as text?", n), style="dim"))
            with Horizontal():
                yield Button(_("Attach (enter)"), id="attach", variant="primary")
                yield Button(_("Paste as text (esc)"), id="paste")


    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "attach")
