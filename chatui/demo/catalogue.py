"""The scripted server's model catalogue, in AIHubMix's shape and in OpenRouter's.

The same models in both, priced in each source's own unit (AIHubMix: USD per 1K tokens;
OpenRouter: USD per token, as strings), plus entries with missing and malformed fields,
so the demo shows prices and the tests check that odd entries degrade quietly.
"""

from __future__ import annotations

from typing import Any

# id: (context length, max output, USD per 1M tokens: input, output, cache read; modalities; features)
MODELS: dict[str, tuple[int, int, tuple[str, str, str], str, str]] = {
    "chatui-demo": (400_000, 128_000, ("1.25", "10", "0.125"), "text,image", "thinking,tools,function_calling,web"),
    "demo-mini": (400_000, 128_000, ("0.25", "2", "0.025"), "text,image,pdf", "thinking,tools,web"),
    "demo-reasoning": (200_000, 100_000, ("3", "15", "0.3"), "text", "thinking"),
    "demo-cjk": (128_000, 8_192, ("0.3", "1.2", ""), "text", "tools"),
    "tiny-context": (2_000, 1_000, ("0.5", "1.5", "0.05"), "text", ""),  # a context window the demo fills
    "gateway-cost": (1_000_000, 65_536, ("2", "8", "0.5"), "text,image", "web"),
}


def _per(value: str, unit: int) -> str:
    """A per-1M price in another unit, as text (exact: no float)."""
    from decimal import Decimal

    return "" if not value else format(Decimal(value) / (1_000_000 // unit), "f")


def aihubmix() -> dict[str, Any]:
    """``GET /api/v1/models`` as AIHubMix answers it (strings for numbers, comma-separated lists)."""
    data: list[dict[str, Any]] = []
    for model, (context, out, (inp, outp, cache), modalities, features) in MODELS.items():
        pricing = {"input": _per(inp, 1000), "output": _per(outp, 1000)}
        if cache:
            pricing["cache_read"] = _per(cache, 1000)
        data.append({"model_id": model, "desc": f"{model} (scripted)", "types": "llm", "features": features, "input_modalities": modalities,
                     "max_output": str(out), "context_length": str(context), "pricing": pricing})
    data += [
        {"model_id": "no-pricing", "types": "llm", "context_length": "32000"},  # known context, unknown price
        {"model_id": "bad-fields", "context_length": "lots", "max_output": None, "pricing": {"input": "free?", "output": -1}, "features": 7},
        {"desc": "an entry without an id"},
        "not even an object",
    ]
    return {"data": data, "success": True}


def openrouter() -> dict[str, Any]:
    """``GET {base}/models`` as OpenRouter answers it (per-token prices as strings)."""
    data: list[dict[str, Any]] = []
    for model, (context, out, (inp, outp, cache), modalities, features) in MODELS.items():
        pricing = {"prompt": _per(inp, 1), "completion": _per(outp, 1), "request": "0", "image": "0"}
        if cache:
            pricing["input_cache_read"] = _per(cache, 1)
        params = ["max_tokens", "temperature"] + (["reasoning", "include_reasoning"] if "thinking" in features else []) + (["tools"] if "tools" in features else [])
        data.append({"id": model, "name": model, "created": 1789700000, "context_length": context,
                     "architecture": {"modality": "text->text", "input_modalities": modalities.split(","), "output_modalities": ["text"]},
                     "pricing": pricing, "top_provider": {"context_length": context, "max_completion_tokens": out}, "supported_parameters": params})
    data.append({"id": "openrouter/auto", "context_length": 2_000_000, "pricing": {"prompt": "-1", "completion": "-1"}})  # prices vary: unknown
    return {"data": data}
