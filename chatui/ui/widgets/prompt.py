"""The multi-line prompt: Enter sends, ctrl+j / shift+enter add a line, Up/Down recall."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from chatui.i18n import _
from chatui.ui.messages import PathsPasted, PromptSubmitted, ScrollRequested

_SCROLL_KEYS = {"pageup": "page_up", "pagedown": "page_down", "ctrl+home": "home", "ctrl+end": "end"}


class PromptArea(TextArea):
    """A TextArea that submits on Enter and remembers earlier prompts."""

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)
        self.sent: list[str] = []
        self._recall: int | None = None
        self._draft = ""

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        # the conversation scrolls from here, so focus (and the draft) stay in the prompt
        where = _SCROLL_KEYS.get(key) or ("end" if key == "end" and not self.text else None)
        if where:
            event.stop()
            event.prevent_default()
            self.post_message(ScrollRequested(where))
            return
        if key == "tab" and self.text.startswith("/attach ") and self.cursor_location == self.document.end:
            event.stop()
            event.prevent_default()
            self._complete_path()
            return
        if key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text
            if text.strip():
                self.remember(text)
                self.post_message(PromptSubmitted(text))
                self.clear()
            return
        if key in ("ctrl+j", "shift+enter", "alt+enter"):
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        if key == "up" and self.cursor_location[0] == 0 and self.sent:
            event.stop()
            event.prevent_default()
            self._step(-1)
            return
        if key == "down" and self._recall is not None and self.cursor_location[0] == self.document.line_count - 1:
            event.stop()
            event.prevent_default()
            self._step(1)
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        """A pasted file path (a drag-and-drop) offers to attach the file instead of pasting the text."""
        from chatui.attachments import pasted_paths

        paths = pasted_paths(event.text)
        if paths:
            event.stop()
            event.prevent_default()
            self.post_message(PathsPasted(paths, event.text))
        # otherwise TextArea's own handler pastes it (Textual calls each class's handler in turn)

    def _complete_path(self) -> None:
        """Tab after /attach completes the path being typed (spaces escaped as a shell would)."""
        import re

        from chatui.attachments import complete_path

        text = self.text
        last = re.search(r"(?:\\ |[^ ])*$", text)
        typed = last.group(0) if last else ""
        done, names = complete_path(typed.replace("\\ ", " "))
        if done != typed.replace("\\ ", " "):
            self.set_text(text[: len(text) - len(typed)] + done.replace(" ", "\\ "))
        elif len(names) > 1:
            self.notify("  ".join(names[:40]) + (" …" if len(names) > 40 else ""), title=_("Matches"), markup=False)
        elif not names:
            self.notify(_("No file matches."), severity="warning", markup=False)

    def remember(self, text: str) -> None:
        """Add a sent prompt to the recall list."""
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._recall = None

    def _step(self, direction: int) -> None:
        if self._recall is None:
            if direction > 0:
                return
            self._draft = self.text
            self._recall = len(self.sent)
        self._recall += direction
        if self._recall < 0:
            self._recall = 0
            return
        if self._recall >= len(self.sent):
            self._recall = None
            self.load_text(self._draft)
        else:
            self.load_text(self.sent[self._recall])
        self.move_cursor(self.document.end)

    def set_text(self, text: str) -> None:
        """Put ``text`` into the prompt with the cursor at its end."""
        self.load_text(text)
        self.move_cursor(self.document.end)
