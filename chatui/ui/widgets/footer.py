"""The footer, with each key's label in the language in use."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from chatui.i18n import _


class LocalFooter(Footer):
    """Textual's footer; binding descriptions are English message ids, translated as shown."""

    def compose(self) -> ComposeResult:
        """The footer's keys, labelled in the language in use."""
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if self.compact and widget.has_class("-command-palette"):
                    widget.description = ""  # on a narrow terminal the key alone; ctrl+p is in help too

                widget.tooltip = _(str(widget.tooltip)) if widget.tooltip else None
            yield widget
