"""Help: keys and commands, generated from the command table."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from chatui.commands import help_text, keys_text
from chatui.i18n import N_, _
from chatui.params import set_help


class HelpScreen(ModalScreen[None]):
    """Keys and commands; escape, q or f1 closes it."""

    BINDINGS = [Binding("escape,q,f1", "dismiss(None)", N_("Close"))]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100; max-width: 95%; height: auto; max-height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    """

    def compose(self):
        with VerticalScroll():
            yield Static(Text(_("Keys"), style="bold"))
            yield Static(Text(keys_text()))
            yield Static(Text("\n" + _("Commands (type them in the prompt, or ctrl+p)"), style="bold"))

            yield Static(Text(help_text()))
            yield Static(Text("\n/set NAME VALUE", style="bold"))
            yield Static(Text(set_help()))
