"""Browse saved conversations: search, open, rename, delete."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from chatui.conversation import Conversation
from chatui.cost import usd
from chatui.i18n import N_, _, ngettext
from chatui.text import one_line, pad, strip_controls
from chatui.transcripts import Summary, TranscriptError, TranscriptStore


class ConfirmDelete(ModalScreen[bool]):
    """Ask before deleting."""

    BINDINGS = [Binding("escape,n", "dismiss(False)", N_("No")), Binding("y", "dismiss(True)", N_("Yes"))]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.conv_title = title

    def compose(self):
        with Vertical(id="confirm"):
            yield Label(Text(_("Delete “{title}”? This cannot be undone.").format(title=strip_controls(self.conv_title)), style="bold"))
            with Horizontal():
                yield Button(_("Delete (y)"), variant="error", id="yes")
                yield Button(_("Keep (n)"), id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class RenamePrompt(ModalScreen[str | None]):
    """Ask for a new title."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.conv_title = title

    def compose(self):
        with Vertical(id="confirm"):
            yield Label(Text(_("New title"), style="bold"))
            yield Input(value=one_line(self.conv_title, 200), id="rename")


    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class HistoryScreen(ModalScreen[Conversation | None]):
    """Conversations newest first; type to search their full text."""

    CSS_PATH = "history.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Close")),
        Binding("ctrl+d", "delete", N_("Delete"), priority=True),
        Binding("f2", "rename", N_("Rename"), priority=True),
        Binding("down", "down", show=False),
        Binding("up", "up", show=False),
    ]

    def __init__(self, store: TranscriptStore) -> None:
        super().__init__()
        self.store = store
        self.items: list[Summary] = []
        self.shown: list[Summary] = []

    def compose(self):
        with Vertical(id="history"):
            yield Label(Text(_("Conversations"), style="bold"))
            yield Input(placeholder=_("search titles and text"), id="history-search")
            yield OptionList(id="history-list")
            yield Label(Text(_("enter open · f2 rename · ctrl+d delete · esc close"), style="dim"), id="history-note")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(Input).focus()

    def reload(self) -> None:
        """Read the directory again."""
        self.items = self.store.summaries()
        if self.store.problems:
            n = len(self.store.problems)
            said = ngettext("Skipped {n} unreadable file: {names}", "Skipped {n} unreadable files: {names}", n)
            self.notify(said.format(n=n, names="; ".join(self.store.problems[:3])), severity="warning", markup=False)
        self._fill(self.query_one(Input).value)

    def _fill(self, query: str) -> None:
        self.shown = self.store.search(query, self.items) if query.strip() else self.items
        options = self.query_one(OptionList)
        options.clear_options()
        rows = []
        for s in self.shown:
            row = Text(no_wrap=True, overflow="ellipsis")  # one line per conversation, at any width
            row.append(time.strftime("%Y-%m-%d %H:%M  ", time.localtime(s.updated_at)), style="dim")
            title = Text(one_line(s.title, 60), style="bold")
            title.truncate(48, overflow="ellipsis", pad=True)  # pads by cell width, so CJK lines up
            row.append_text(title)
            row.append(" " + pad(ngettext("{n} turn", "{n} turns", s.turns).format(n=f"{s.turns:>4}"), 10), style="dim")
            branches = ngettext("{n} branch", "{n} branches", s.branches).format(n=s.branches)
            row.append(f", {branches}  " if s.branches > 1 else "  ", style="dim")
            if s.cost is not None:
                row.append(f"{usd(s.cost):>9}  ", style="dim")
            row.append(one_line(", ".join(s.models), 40))
            rows.append(Option(row, id=s.id))
        options.add_options(rows)
        if rows:
            options.highlighted = 0

    def _current(self) -> Summary | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    @on(Input.Changed, "#history-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#history-search")
    def _enter(self) -> None:
        self._open(self._current())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(self._current())

    def _open(self, summary: Summary | None) -> None:
        if summary is None:
            return
        try:
            self.dismiss(self.store.load(summary.path))
        except TranscriptError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def action_down(self) -> None:
        """Move the highlight down while typing in the search box."""
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        """Move the highlight up while typing in the search box."""
        self.query_one(OptionList).action_cursor_up()

    def action_delete(self) -> None:
        """Delete the highlighted conversation, after asking."""
        summary = self._current()
        if summary is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.store.delete(summary.id)
                self.reload()
                self.notify(_("Deleted “{title}”.").format(title=one_line(summary.title, 40)), markup=False)

        self.app.push_screen(ConfirmDelete(summary.title), done)

    def action_rename(self) -> None:
        """Rename the highlighted conversation."""
        summary = self._current()
        if summary is None:
            return

        def done(title: str | None) -> None:
            if title:
                try:
                    self.store.rename(summary.id, title)
                except (TranscriptError, OSError) as exc:
                    self.notify(_("Could not rename: {why}").format(why=exc), severity="error", markup=False)

                self.reload()

        self.app.push_screen(RenamePrompt(summary.title), done)
