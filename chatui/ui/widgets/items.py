"""Items of an answer other than its text: tool calls, hosted tools, sources, commentary."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from chatui.i18n import N_, _
from chatui.items import ItemLine, Source


class ItemLineView(Vertical, can_focus=True):
    """One item as a line; enter or a click shows its detail (arguments, code, results)."""

    BINDINGS = [Binding("enter", "toggle", N_("Details")), Binding("o", "open", N_("Open file"))]

    def __init__(self, line: ItemLine) -> None:
        super().__init__(classes=f"item-line -{line.type.replace('_', '-')}")
        self.line = line
        self.header = Static(self._header(False), classes="item-title")
        self.detail = Static(Text(line.detail), classes="item-detail")
        self.detail.display = False

    def _header(self, open_: bool) -> Text:
        text = Text()
        text.append(("▾ " if open_ else "▸ ") if self.line.detail else "• ", style="dim")
        text.append(self.line.title)
        if self.line.note:
            text.append(f"  ({self.line.note})", style="dim italic")
        return text

    def compose(self):
        yield self.header
        yield self.detail

    def action_toggle(self) -> None:
        """Show or hide the detail."""
        if self.line.detail:
            self.detail.display = not self.detail.display
            self.header.update(self._header(self.detail.display))

    def on_click(self) -> None:
        self.action_toggle()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """'Open' only for an item with a saved file (a generated image)."""
        return bool(self.line.path) if action == "open" else True

    def action_open(self) -> None:
        """Open the saved file with the system's viewer."""
        if self.line.path:
            self.notify(_("Opening {path}").format(path=self.line.path), markup=False)
            self.run_worker(lambda: _open(self.line.path), thread=True, exit_on_error=False)


def _open(path: str) -> None:
    import webbrowser
    from pathlib import Path

    webbrowser.open(Path(path).as_uri())


class ItemLines(Vertical):
    """A run of item lines (before or after the answer's text)."""

    DEFAULT_CSS = "ItemLines { height: auto; }"

    def show(self, lines: list[ItemLine]) -> None:
        """Replace the lines shown."""
        self.remove_children()
        if lines:
            self.mount_all([ItemLineView(line) for line in lines])
        self.display = bool(lines)


def sources_text(sources: list[Source]) -> Text:
    """The Sources list: numbered titles, web links clickable where the terminal allows."""
    text = Text(_("Sources"), style="bold")

    for s in sources:
        text.append(f"\n[{s.number}] ")
        text.append(s.title)
        if s.url and s.url != s.title:
            text.append(" — ", style="dim")
            text.append(s.url, style=Style(link=s.url, dim=True))
    return text
