"""What a turn cost, in Decimal USD: from the gateway's own figure, else from catalogue prices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chatui.catalogue import MILLION, ModelInfo, Prices, price
from chatui.outcome import Usage


@dataclass(frozen=True, slots=True)
class Cost:
    """A turn's cost and how it was known (kept in the transcript with the prices used)."""

    usd: Decimal
    source: str  # "gateway" (the response's usage.cost) or the catalogue's source
    prices: Prices | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (Decimals as strings)."""
        return {"usd": str(self.usd), "source": self.source, "prices": self.prices.to_dict() if self.prices else None}

    @classmethod
    def from_dict(cls, data: Any) -> Cost | None:
        """From :meth:`to_dict` output; None when it is not one."""
        if not isinstance(data, dict) or (usd := price(data.get("usd"))) is None:
            return None
        return cls(usd, str(data.get("source", "")), Prices.from_dict(data.get("prices")))


def turn_cost(usage: Usage | None, info: ModelInfo | None, source: str) -> Cost | None:
    """The cost of one turn, or None when it cannot be known (never a guess).

    Uncached input at the input price, cached input at the cache-read price (the input
    price when the catalogue has none), output (reasoning included) at the output price.
    The gateway's own ``usage.cost`` wins when it sent one.
    """
    prices = info.prices if info else None
    if usage is not None and usage.cost is not None:
        return Cost(usage.cost, "gateway", prices)
    if usage is None or prices is None or not prices.known or usage.input_tokens is None or usage.output_tokens is None:
        return None
    assert prices.input is not None and prices.output is not None
    cached = min(usage.cached_tokens or 0, usage.input_tokens)
    cache_price = prices.cache_read if prices.cache_read is not None else prices.input
    usd = ((usage.input_tokens - cached) * prices.input + cached * cache_price + usage.output_tokens * prices.output) / MILLION
    return Cost(usd, source, prices)


def usd(amount: Decimal | None) -> str:
    """Money as people read it: $12.34, $0.0123, $0.00042 (two significant digits below a cent)."""
    if amount is None:
        return "–"
    if amount == 0:
        return "$0"
    digits = 2 if amount >= 1 else 4 if amount >= Decimal("0.01") else -amount.adjusted() + 1  # below a cent: two significant digits
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)  # as a bill rounds, not to even
    return f"${rounded:,.{digits}f}"


def per_million(amount: Decimal | None) -> str:
    """A price per 1M tokens, short: $0.25, $10, $1.5."""
    if amount is None:
        return "–"
    text = f"{amount.normalize():f}"
    return f"${text}"


def total(costs: list[Cost | None]) -> tuple[Decimal | None, int]:
    """The sum of the known costs and how many turns had none (to say "at least")."""
    known = [c.usd for c in costs if c is not None]
    return (sum(known, Decimal(0)) if known else None), sum(1 for c in costs if c is None)


def spent_text(spent: tuple[Decimal | None, int]) -> str:
    """A total from :func:`total` as shown: "≥ $0.12" when some turns had no known cost; "" when none had one."""
    amount, unknown = spent
    if amount is None:
        return ""
    return ("≥ " if unknown else "") + usd(amount)
