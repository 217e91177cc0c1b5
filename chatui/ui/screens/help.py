"""Help: keys and slash commands."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from chatui.commands import help_text

KEYS = """enter        send
ctrl+j       new line (shift+enter where the terminal reports it)
up / down    recall earlier prompts
escape       stop the answer (the part that arrived is kept)
ctrl+o       pick a model
ctrl+r       show/hide reasoning     ctrl+g  show/hide usage
ctrl+n       new conversation        ctrl+b  show earlier turns
tab          move focus; a focused answer shows its reasoning and usage
ctrl+p       command palette         ctrl+q  quit"""


class HelpScreen(ModalScreen[None]):
    """Keys and commands; any key closes it."""

    BINDINGS = [Binding("escape,q,f1", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    """

    def compose(self):
        with VerticalScroll():
            yield Static(Text("Keys", style="bold"))
            yield Static(Text(KEYS))
            yield Static(Text("\nCommands (type them in the prompt, or ctrl+p)", style="bold"))
            yield Static(Text(help_text()))
