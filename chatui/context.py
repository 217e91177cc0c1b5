"""How full the model's context window is: the last turn's input and output against the window."""

from __future__ import annotations

from dataclasses import dataclass

from chatui.defaults import CONTEXT_WARNING
from chatui.i18n import _


@dataclass(frozen=True, slots=True)
class Gauge:
    """Tokens used by the last exchange, of the model's window."""

    used: int
    limit: int

    @property
    def share(self) -> float:
        """Used / limit (may pass 1.0 when a server counts differently)."""
        return self.used / self.limit

    @property
    def warn(self) -> bool:
        """Close enough to the end to say so."""
        return self.share >= CONTEXT_WARNING

    def describe(self) -> str:
        """'12% of 400K'."""
        share = "<1%" if 0 < self.share < 0.005 else f"{self.share:.0%}"
        return _("{share} of {limit}").format(share=share, limit=tokens_short(self.limit))



def gauge(usage, context_length: int | None) -> Gauge | None:
    """The gauge for a turn's usage, or None when either side is unknown."""
    if usage is None or not context_length or usage.input_tokens is None:
        return None
    return Gauge(usage.input_tokens + (usage.output_tokens or 0), context_length)


def tokens_short(n: int | None) -> str:
    """400000 -> '400K', 1048576 -> '1M', 8192 -> '8K' (how model pages write windows)."""
    if not n:
        return "–"
    if n >= 1_000_000:
        value, unit = n / 1_000_000, "M"
    elif n >= 1_000:
        value, unit = n / 1_000, "K"
    else:
        return str(n)
    return f"{value:.1f}".rstrip("0").rstrip(".") + unit
