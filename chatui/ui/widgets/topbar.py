"""The header: app name, current model, gateway, demo or no-key marker, conversation title."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from chatui.context import Gauge
from chatui.cost import spent_text
from chatui.i18n import _
from chatui.text import strip_controls


def meter(gauge: Gauge | None, spent: tuple[Decimal | None, int]) -> Text:
    """'ctx 12% of 400K · $0.0123': how full the context is (warning colours from 80%) and what the conversation cost."""
    text = Text()
    if gauge is not None:
        text.append(_("ctx") + " ", style="dim")
        text.append(gauge.describe(), style="bold black on yellow" if gauge.warn else "")
    if money := spent_text(spent):
        if text.plain:
            text.append(" · ", style="dim")
        text.append(money)
    return text


class TopBar(Widget):
    """One line: chatui · model · gateway · context and cost · title; each part a reactive attribute."""

    model = reactive("")
    gateway = reactive("")
    demo = reactive(False)
    has_key = reactive(True)
    conversation_title = reactive("")
    meter = reactive(Text())  # how full the context is and what the conversation cost

    def render(self) -> Text:
        """The header line (untrusted parts as plain text, control characters removed).

        The gateway is left out when it would push the context and cost off a narrow line.
        """
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" chatui ", style="bold reverse")
        text.append("  " + _("model") + " ", style="dim")
        text.append(strip_controls(self.model), style="bold")
        via = Text.assemble(("  " + _("via") + " ", "dim"), _("built-in demo server") if self.demo else strip_controls(self.gateway))
        state = Text()
        if self.demo:
            state.append("  " + _("DEMO · offline") + " ", style="bold black on yellow")
        elif not self.has_key:
            state.append("  " + _("no API key") + " ", style="bold white on red")
        if self.meter.plain:
            state.append("  ")
            state.append_text(self.meter)
        if text.cell_len + via.cell_len + state.cell_len <= self.size.width:
            text.append_text(via)
        text.append_text(state)
        if self.conversation_title:
            text.append("  ", style="dim")
            text.append(strip_controls(self.conversation_title)[:60], style="italic dim")
        return text
