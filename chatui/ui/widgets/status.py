"""The live status line of the turn in flight: always visible, at any width."""

from __future__ import annotations

import time

from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from chatui.i18n import _, ngettext
from chatui.text import strip_controls
from chatui.ui.messages import LiveStats, TurnFinished, TurnStarted

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STALLED = 5.0  # seconds without new text before the line says so
TICK = 0.125  # seconds between repaints of the line


class TurnStatus(Widget):
    """'⠹ 4.2 s · ~1,234 tokens · gpt-5-mini · esc stops' while a turn streams; hidden otherwise."""

    DEFAULT_CSS = "TurnStatus { height: 1; display: none; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stats: LiveStats | None = None
        self.model = ""
        self._timer = None

    def observe(self, event: Message) -> None:
        """Start with a turn, stop when it ends."""
        if isinstance(event, TurnStarted):
            self.start(event.stats, event.turn.model)
        elif isinstance(event, TurnFinished):
            self.stop()

    def start(self, stats: LiveStats, model: str) -> None:
        """Show the line for a turn that started streaming."""
        self.stats, self.model = stats, strip_controls(model)
        self.display = True
        if self._timer is None:
            self._timer = self.set_interval(TICK, self.refresh)
        self.refresh()

    def stop(self) -> None:
        """The turn ended: hide the line."""
        self.stats = None
        self.display = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def describe(self, now: float | None = None) -> str:
        """The line's words (without the spinner)."""
        s = self.stats
        if s is None:
            return ""
        now = time.monotonic() if now is None else now
        parts = [f"{now - s.started:.1f} s"]
        if s.retry is not None:
            parts.append(s.retry.describe(s.retry.wait - (now - s.retry_at)))
        elif s.first_text is None:
            parts.append(_("waiting for the first token"))
        else:
            parts.append(ngettext("~{n} token", "~{n} tokens", s.est_tokens).format(n=f"{s.est_tokens:,}"))
            if s.last_text is not None and now - s.last_text >= STALLED:
                parts.append(_("no new text for {seconds} s").format(seconds=f"{now - s.last_text:.0f}"))
            elif s.reasoning_chars and not s.answer_chars:
                parts.append(_("thinking"))
        parts.append(self.model)
        parts.append(_("esc stops"))

        return " · ".join(parts)

    def render(self) -> Text:
        """Spinner and words."""
        if self.stats is None:
            return Text()
        frame = SPINNER[int(time.monotonic() / 0.1) % len(SPINNER)]
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {frame} ", style="bold")
        text.append(self.describe(), style="dim")
        return text
