"""The header: app name, current model, gateway, demo marker."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from chatui.text import strip_controls


class TopBar(Static):
    """One line: chatui · model · gateway."""

    def show(self, model: str, gateway: str, *, demo: bool, has_key: bool, title: str | None = None) -> None:
        """Update the header text."""
        text = Text()
        text.append(" chatui ", style="bold reverse")
        text.append("  model ", style="dim")
        text.append(strip_controls(model), style="bold")
        text.append("  via ", style="dim")
        text.append("built-in demo server" if demo else strip_controls(gateway))
        if demo:
            text.append("  DEMO · offline ", style="bold black on yellow")
        elif not has_key:
            text.append("  no API key ", style="bold white on red")
        if title:
            text.append("  ", style="dim")
            text.append(strip_controls(title)[:60], style="italic dim")
        self.update(text)
