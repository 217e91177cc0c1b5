"""The header: app name, current model, gateway, demo or no-key marker, conversation title."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from chatui.text import strip_controls


class TopBar(Widget):
    """One line: chatui · model · gateway · title; each part a reactive attribute."""

    model = reactive("")
    gateway = reactive("")
    demo = reactive(False)
    has_key = reactive(True)
    conversation_title = reactive("")

    def render(self) -> Text:
        """The header line (untrusted parts as plain text, control characters removed)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" chatui ", style="bold reverse")
        text.append("  model ", style="dim")
        text.append(strip_controls(self.model), style="bold")
        text.append("  via ", style="dim")
        text.append("built-in demo server" if self.demo else strip_controls(self.gateway))
        if self.demo:
            text.append("  DEMO · offline ", style="bold black on yellow")
        elif not self.has_key:
            text.append("  no API key ", style="bold white on red")
        if self.conversation_title:
            text.append("  ", style="dim")
            text.append(strip_controls(self.conversation_title)[:60], style="italic dim")
        return text
