"""The model catalogue: context length, prices and capabilities of each model, as the gateway publishes them.

Three sources, one shape (:class:`ModelInfo`, prices in USD per 1M tokens as Decimal):

- AIHubMix: ``GET {scheme://host}/api/v1/models`` (no key), prices per 1K tokens,
  ``model_id``, comma-separated ``features`` and ``input_modalities``, numbers as strings;
- OpenRouter: ``GET {base}/models``, prices per token as strings, ``architecture.input_modalities``;
- the config file: ``[profiles.NAME.prices]`` per model, per 1M tokens (any other gateway).

Nothing here guesses: a field that is missing or malformed is unknown (None), and a
catalogue that cannot be fetched or parsed is empty, never an error.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chatui import defaults

MILLION = Decimal(1_000_000)
PRICE_KEYS = ("input", "output", "cache_read", "cache_write")
CAPABILITIES = ("vision", "files", "reasoning", "web", "tools")  # in the order the picker shows them


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per 1M tokens; None where the source said nothing."""

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None

    @property
    def known(self) -> bool:
        """Whether a turn's cost can be worked out (input and output prices are both known)."""
        return self.input is not None and self.output is not None

    def to_dict(self) -> dict[str, str]:
        """JSON-safe (Decimals as strings, unknown prices left out)."""
        return {k: format(v.normalize(), "f") for k in PRICE_KEYS if (v := getattr(self, k)) is not None}

    @classmethod
    def from_dict(cls, data: Any, scale: Decimal = Decimal(1)) -> Prices | None:
        """From a mapping of the four keys (``scale`` turns the source's unit into per-1M); None if it has no price."""
        if not isinstance(data, dict):
            return None
        values = {k: (v * scale if (v := price(data.get(k))) is not None else None) for k in PRICE_KEYS}
        return cls(**values) if any(v is not None for v in values.values()) else None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the catalogue knows of one model."""

    id: str
    context_length: int | None = None
    max_output: int | None = None
    prices: Prices | None = None
    capabilities: frozenset[str] = field(default_factory=frozenset)
    chat: bool = True  # answers in text (False: an image, embedding or speech model)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, for the on-disk cache."""
        return {
            "id": self.id,
            "context_length": self.context_length,
            "max_output": self.max_output,
            "prices": self.prices.to_dict() if self.prices else None,
            "capabilities": sorted(self.capabilities),
            "chat": self.chat,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelInfo:
        """From :meth:`to_dict` output."""
        caps = data.get("capabilities")
        return cls(
            str(data["id"]),
            count(data.get("context_length")),
            count(data.get("max_output")),
            Prices.from_dict(data.get("prices")),
            frozenset(str(c) for c in caps) if isinstance(caps, list) else frozenset(),
            data.get("chat") is not False,
        )


@dataclass(slots=True)
class Catalogue:
    """Every model a source describes, by id."""

    source: str = ""  # "aihubmix", "openrouter", "config"; "" when nothing is known
    models: dict[str, ModelInfo] = field(default_factory=dict)
    fetched_at: float = 0.0
    stale: bool = False  # an old copy, used because a fresh one could not be had
    _lower: dict[str, ModelInfo] | None = field(default=None, repr=False, compare=False)  # ids ignoring case, made on first need

    def get(self, model: str) -> ModelInfo | None:
        """The model's entry: by exact id, else ignoring case."""
        info = self.models.get(model)
        if info is None and model:
            if self._lower is None:
                self._lower = {key.lower(): m for key, m in self.models.items()}
            info = self._lower.get(model.lower())
        return info

    def with_overrides(self, table: dict[str, ModelInfo]) -> Catalogue:
        """This catalogue with the config file's entries on top (the user's own prices win)."""
        if not table:
            return self
        merged = dict(self.models)
        for model, info in table.items():
            base = self.get(model)
            merged[model] = ModelInfo(
                model,
                info.context_length or (base.context_length if base else None),
                info.max_output or (base.max_output if base else None),
                info.prices or (base.prices if base else None),
                info.capabilities or (base.capabilities if base else frozenset()),
                base.chat if base else True,
            )
        return Catalogue(self.source or "config", merged, self.fetched_at, self.stale)


def price_rank(info: ModelInfo) -> tuple[bool, Decimal]:
    """Sort key, cheapest first (input plus output per 1M tokens); models without a known price last."""
    prices = info.prices
    if prices is None or prices.input is None or prices.output is None:
        return True, Decimal(0)
    return False, prices.input + prices.output


# -- tolerant field readers ---------------------------------------------------------


def price(value: Any) -> Decimal | None:
    """A price as Decimal from a number or a string; None for missing, negative ("varies") or nonsense."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and abs(value) > _PRICE_MAX:
        return None
    if isinstance(value, (int, float)):
        value = repr(value)  # float -> shortest exact text, so 0.1 stays 0.1
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        result = Decimal(value.strip().lstrip("$"))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() and 0 <= result <= _PRICE_MAX else None


_PRICE_MAX = 10**9  # dollars (per token, per 1K, per 1M or per turn): anything above is not a price



_SUFFIX = {"k": 1_000, "m": 1_000_000}


def count(value: Any) -> int | None:
    """A token count from an int, a float or a string ("128000", "128K", "1M"); None when unknown or not positive."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if 0 < value <= 10**12 else None  # no float() of a 400-digit int: that overflows
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and 0 < value <= 10**12 else None
    if isinstance(value, str):

        match = re.fullmatch(r"\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([kKmM]?)\s*", value)
        if match:
            number = float(match.group(1).replace(",", "").replace("_", "")) * _SUFFIX.get(match.group(2).lower(), 1)
            return int(number) if number > 0 else None
    return None


def _words(value: Any) -> set[str]:
    """A comma-separated string or a list, as lower-case words."""
    if isinstance(value, str):
        return {w.strip().lower() for w in value.split(",") if w.strip()}
    if isinstance(value, list):
        return {str(w).strip().lower() for w in value if str(w).strip()}
    return set()


def _capabilities(modalities: set[str], features: set[str]) -> frozenset[str]:
    caps = set()
    if modalities & {"image", "images", "vision"}:
        caps.add("vision")
    if modalities & {"file", "files", "pdf", "document"}:
        caps.add("files")
    if features & {"thinking", "reasoning", "include_reasoning"}:
        caps.add("reasoning")
    if features & {"web", "web_search", "search", "online"}:
        caps.add("web")
    if features & {"tools", "function_calling", "tool_choice"}:
        caps.add("tools")
    return frozenset(caps)


def _entries(data: Any) -> list[dict[str, Any]]:
    entries = data.get("data") if isinstance(data, dict) else data
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def parse_aihubmix(data: Any) -> dict[str, ModelInfo]:
    """AIHubMix's catalogue: prices per 1K tokens, lists as comma-separated strings."""
    out = {}
    for entry in _entries(data):
        model = entry.get("model_id") or entry.get("id")
        if not isinstance(model, str) or not model:
            continue
        out[model] = ModelInfo(
            model,
            count(entry.get("context_length")),
            count(entry.get("max_output")),
            Prices.from_dict(entry.get("pricing"), Decimal(1000)),
            _capabilities(_words(entry.get("input_modalities")), _words(entry.get("features"))),
            not (types := _words(entry.get("types"))) or "llm" in types,
        )
    return out


def parse_openrouter(data: Any) -> dict[str, ModelInfo]:
    """OpenRouter's /models: prices per token (strings), modalities under ``architecture``."""
    out = {}
    for entry in _entries(data):
        model = entry.get("id")
        if not isinstance(model, str) or not model:
            continue
        pricing = entry.get("pricing") if isinstance(entry.get("pricing"), dict) else {}
        prices = Prices.from_dict(
            {"input": pricing.get("prompt"), "output": pricing.get("completion"), "cache_read": pricing.get("input_cache_read"), "cache_write": pricing.get("input_cache_write")},
            MILLION,
        )
        arch = entry.get("architecture") if isinstance(entry.get("architecture"), dict) else {}
        top = entry.get("top_provider") if isinstance(entry.get("top_provider"), dict) else {}
        features = _words(entry.get("supported_parameters"))
        if price(pricing.get("web_search")):
            features.add("web")
        out[model] = ModelInfo(
            model,
            count(entry.get("context_length")) or count(top.get("context_length")),
            count(top.get("max_completion_tokens")),
            prices,
            _capabilities(_words(arch.get("input_modalities")), features),
            not (outputs := _words(arch.get("output_modalities"))) or "text" in outputs,
        )
    return out


def parse_config(table: Any) -> dict[str, ModelInfo]:
    """``[profiles.NAME.prices]``: per model, prices per 1M tokens and optionally ``context_length``."""
    out = {}
    if isinstance(table, dict):
        for model, entry in table.items():
            if isinstance(entry, dict):
                out[str(model)] = ModelInfo(str(model), count(entry.get("context_length")), count(entry.get("max_output")), Prices.from_dict(entry))
    return out


PARSERS = {"aihubmix": parse_aihubmix, "openrouter": parse_openrouter}


def source_for(base_url: str, setting: str = "auto") -> tuple[str, str] | None:
    """Which catalogue a gateway publishes, and where: (kind, url); None when it publishes none.

    ``setting`` is the profile's ``catalogue``: "auto" (by host), "aihubmix", "openrouter" or "none".
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    kind = setting
    if setting == "auto":
        kind = "aihubmix" if host == "aihubmix.com" or host.endswith(".aihubmix.com") else "openrouter" if host == "openrouter.ai" or host.endswith(".openrouter.ai") else "none"
    if kind == "aihubmix":
        return kind, f"{parts.scheme}://{parts.netloc}/api/v1/models"
    if kind == "openrouter":
        return kind, f"{base_url.rstrip('/')}/models"
    return None


# -- the on-disk cache ----------------------------------------------------------------


class CatalogueCache:
    """One JSON file per catalogue URL under ``root``; old copies serve offline use."""

    def __init__(self, root: Path, ttl: float = defaults.CATALOGUE_TTL) -> None:
        self.root = root
        self.ttl = ttl

    def path_for(self, url: str) -> Path:
        """The file for ``url`` (hashed: a URL is not a file name)."""
        import hashlib

        return self.root / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".json")

    def read(self, url: str, now: float | None = None) -> Catalogue | None:
        """The cached catalogue for ``url`` (marked stale when older than the TTL); None when there is none or it is unreadable."""
        try:
            data = json.loads(self.path_for(url).read_bytes())
            if data.get("url") != url:
                return None
            models = {m["id"]: ModelInfo.from_dict(m) for m in data.get("models", []) if isinstance(m, dict) and isinstance(m.get("id"), str)}
            fetched = float(data.get("fetched_at", 0))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        now = time.time() if now is None else now
        return Catalogue(str(data.get("source", "")), models, fetched, stale=now - fetched > self.ttl)

    def write(self, url: str, catalogue: Catalogue) -> None:
        """Keep ``catalogue`` for next time (atomically; a failure only costs a fetch later)."""
        from chatui.transcripts import atomic_write

        body = {"url": url, "source": catalogue.source, "fetched_at": catalogue.fetched_at, "models": [m.to_dict() for m in catalogue.models.values()]}
        try:
            atomic_write(self.path_for(url), json.dumps(body, ensure_ascii=False).encode())
        except OSError:
            pass


async def fetch(kind: str, url: str, timeout: float = defaults.CATALOGUE_TIMEOUT, max_bytes: int = defaults.MAX_CATALOGUE_BYTES) -> Catalogue | None:
    """Fetch and parse a catalogue (no key is sent: catalogues are public); None on any failure."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as http:
            async with http.stream("GET", url, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    return None
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        return None
        models = await asyncio.to_thread(_parse, kind, bytes(body))  # a big catalogue parses off the event loop
    except (httpx.HTTPError, ValueError, KeyError, OSError, RecursionError, TypeError, AttributeError):
        return None  # whatever a gateway serves: no catalogue, never an error
    return Catalogue(kind, models, time.time()) if models else None



def _parse(kind: str, body: bytes) -> dict[str, ModelInfo]:
    return PARSERS[kind](json.loads(body.decode("utf-8", "replace").lstrip("\ufeff")))


async def load(kind: str, url: str, cache: CatalogueCache, offline: bool = False) -> Catalogue:
    """A fresh cached copy, else a fetched one (and cached), else an old copy, else an empty catalogue."""
    cached = await asyncio.to_thread(cache.read, url)
    if cached is not None and not cached.stale:
        return cached
    fetched = None if offline else await fetch(kind, url)
    if fetched is not None:
        await asyncio.to_thread(cache.write, url, fetched)
        return fetched
    return cached or Catalogue()
