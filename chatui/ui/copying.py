"""The app's copy commands and clipboard (a mixin of ChatApp: which text to copy is the session's rule)."""

from __future__ import annotations

from typing import Any

from textual import work

from chatui.conversation import Turn
from chatui.ui.messages import CopyRequested


class CopyCommands:
    """/copy, the copy keys, mouse selection, and every copy going to both clipboards."""

    session: Any
    prefs: Any

    def cmd_copy(self, arg: str, turn: Turn | None = None) -> None:
        """Copy the focused (or last) answer, a code block, its reasoning or its prompt."""
        self.copy_to_clipboard(self.session.copy_text(arg, turn))

    def on_copy_requested(self, event: CopyRequested) -> None:
        """A copy key on a focused message."""
        turn = self._turn(event.turn_id)
        self._try(self.cmd_copy, event.what, turn)

    def copy_to_clipboard(self, text: str) -> None:
        """Copy through the terminal (OSC 52) and the system clipboard; say which (every copy lands here)."""
        super().copy_to_clipboard(text)
        self._system_copy(text)

    def on_text_selected(self) -> None:
        """With ui.copy_on_select, a mouse selection is copied as soon as it is made."""
        if self.prefs.copy_on_select and (text := self.screen.get_selected_text()):
            self.copy_to_clipboard(text)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _system_copy(self, text: str) -> None:
        from chatui.clipboard import copied_note, system_copy

        self.call_from_thread(self.notify, copied_note(text, system_copy(text)), markup=False)
