"""The model catalogue's parsers, tolerant of every odd field, and the cost arithmetic (Decimal, cached tokens)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chatui import catalogue as cat
from chatui.cost import Cost, per_million, turn_cost, usd
from chatui.demo import catalogue as demo
from chatui.outcome import Usage


def test_both_shapes_describe_the_same_model_in_per_million_prices():
    a, o = cat.parse_aihubmix(demo.aihubmix()), cat.parse_openrouter(demo.openrouter())
    assert a["demo-mini"].prices == o["demo-mini"].prices == cat.Prices(Decimal("0.25"), Decimal("2"), Decimal("0.025"))
    assert a["demo-mini"].context_length == o["demo-mini"].context_length == 400_000
    assert a["demo-mini"].max_output == 128_000
    assert {"vision", "files", "reasoning", "web", "tools"} == a["demo-mini"].capabilities
    assert "vision" not in a["demo-reasoning"].capabilities and "reasoning" in o["demo-reasoning"].capabilities
    assert a["demo-cjk"].prices.cache_read is None  # not published: not invented


def test_odd_entries_degrade_to_unknown_never_to_an_error():
    a = cat.parse_aihubmix(demo.aihubmix())
    assert a["bad-fields"] == cat.ModelInfo("bad-fields")  # "lots", "free?", -1, features=7: all unknown
    assert a["no-pricing"].context_length == 32000 and a["no-pricing"].prices is None
    assert cat.parse_openrouter(demo.openrouter())["openrouter/auto"].prices is None  # "-1": the price varies
    for junk in (None, [], {}, {"data": None}, {"data": "x"}, "text", 42, {"data": [None, 1, "x", {"id": 5}]}):
        assert cat.parse_aihubmix(junk) == {} and cat.parse_openrouter(junk) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.000002", Decimal("0.000002")), (0.1, Decimal("0.1")), (3, Decimal(3)), ("$1.5", Decimal("1.5")), (" 2 ", Decimal(2)),
     ("-1", None), (-0.5, None), ("NaN", None), ("inf", None), (float("nan"), None), (True, None), ("", None), ("free", None), ([], None)],
)
def test_prices_are_read_exactly_from_numbers_or_strings(value, expected):
    assert cat.price(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("128000", 128000), ("128K", 128000), ("1M", 1_000_000), (" 32,768 ", 32768), (8192.0, 8192), ("0", None), ("lots", None), (None, None), (True, None)])
def test_token_counts_are_read_from_numbers_strings_and_suffixes(value, expected):
    assert cat.count(value) == expected


def test_source_by_host_and_by_setting():
    assert cat.source_for("https://aihubmix.com/v1") == ("aihubmix", "https://aihubmix.com/api/v1/models")
    assert cat.source_for("https://openrouter.ai/api/v1") == ("openrouter", "https://openrouter.ai/api/v1/models")
    assert cat.source_for("https://api.openai.com/v1") is None and cat.source_for("http://localhost:11434/v1") is None
    assert cat.source_for("https://aihubmix.com/v1", "none") is None
    assert cat.source_for("http://127.0.0.1:9/v1", "aihubmix") == ("aihubmix", "http://127.0.0.1:9/api/v1/models")


def test_cost_uncached_cached_and_output_in_exact_decimals():
    info = cat.ModelInfo("m", prices=cat.Prices(Decimal("1.25"), Decimal("10"), Decimal("0.125")))
    usage = Usage(input_tokens=10_000, cached_tokens=8_000, output_tokens=1_000, reasoning_tokens=600, total_tokens=11_000)
    cost = turn_cost(usage, info, "aihubmix")
    # 2,000 uncached at $1.25/M + 8,000 cached at $0.125/M + 1,000 output (reasoning included) at $10/M
    assert cost == Cost(Decimal("0.0025") + Decimal("0.001") + Decimal("0.01"), "aihubmix", info.prices)
    assert cost.usd == Decimal("0.0135")
    total = sum((turn_cost(usage, info, "x").usd for _ in range(1000)), Decimal(0))
    assert total == Decimal("13.5")  # no float drift over a thousand turns


def test_cost_is_never_a_guess_and_the_gateway_figure_wins():
    no_cache_price = cat.ModelInfo("m", prices=cat.Prices(Decimal("2"), Decimal("8")))
    usage = Usage(1_000_000, 500_000, 0, None, 1_000_000)
    assert turn_cost(usage, no_cache_price, "config").usd == Decimal("2")  # cached input at the input price when none is published
    assert turn_cost(usage, cat.ModelInfo("m", prices=cat.Prices(input=Decimal("2"))), "x") is None  # no output price
    assert turn_cost(usage, None, "x") is None and turn_cost(None, no_cache_price, "x") is None
    assert turn_cost(Usage(None, None, 10, None, None), no_cache_price, "x") is None  # input tokens unknown
    from_gateway = Usage.from_dict({"input_tokens": 5, "output_tokens": 5, "cost": 0.0123456})
    assert turn_cost(from_gateway, no_cache_price, "openrouter") == Cost(Decimal("0.0123456"), "gateway", no_cache_price.prices)
    assert turn_cost(from_gateway, None, "") == Cost(Decimal("0.0123456"), "gateway", None)


def test_money_reads_as_people_write_it():
    assert [usd(Decimal(x)) for x in ("0", "12.345", "1234.5", "0.0123456", "0.00042", "0.000004567")] == ["$0", "$12.35", "$1,234.50", "$0.0123", "$0.00042", "$0.0000046"]
    assert usd(None) == "–" and per_million(Decimal("0.2500")) == "$0.25" and per_million(Decimal("10.0")) == "$10"


def test_the_cache_keeps_a_catalogue_per_url_and_marks_old_copies_stale(tmp_path):
    cache = cat.CatalogueCache(tmp_path, ttl=100)
    models = cat.parse_aihubmix(demo.aihubmix())
    cache.write("http://a/api/v1/models", cat.Catalogue("aihubmix", models, fetched_at=1000.0))
    fresh = cache.read("http://a/api/v1/models", now=1050.0)
    assert fresh.models == models and not fresh.stale and fresh.source == "aihubmix"
    assert cache.read("http://a/api/v1/models", now=2000.0).stale
    assert cache.read("http://b/api/v1/models") is None
    cache.path_for("http://a/api/v1/models").write_text("{not json")
    assert cache.read("http://a/api/v1/models") is None  # a broken cache is no cache


def test_config_prices_win_over_the_catalogue():
    base = cat.Catalogue("aihubmix", cat.parse_aihubmix(demo.aihubmix()))
    mine = cat.parse_config({"demo-mini": {"input": 0.2, "output": 1.6}, "local-llama": {"input": 0, "output": 0, "context_length": 8192}})
    merged = base.with_overrides(mine)
    assert merged.get("demo-mini").prices.input == Decimal("0.2") and merged.get("demo-mini").context_length == 400_000
    assert merged.get("LOCAL-LLAMA").context_length == 8192 and merged.get("local-llama").prices.known
    assert cat.Catalogue().with_overrides(mine).source == "config"
