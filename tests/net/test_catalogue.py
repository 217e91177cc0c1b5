"""The catalogue from the scripted server (both shapes), its disk cache and offline use, and each turn's cost."""

from __future__ import annotations

import json
from decimal import Decimal

from chatui import catalogue as cat
from chatui.config import Profile
from chatui.session import make_session
from chatui.transcripts import TranscriptStore
from tests.conftest import API_KEY, chat


def profile_for(server, kind="aihubmix", prefix="", **kw) -> Profile:
    return Profile("test", server.base_url.replace("/v1", f"{prefix}/v1"), catalogue=kind, **kw)


def session_with(server, model, kind="aihubmix", prefix="", store=None, **kw):
    profile = profile_for(server, kind, prefix, **kw)
    return make_session(base_url=profile.base_url, api_key=API_KEY, model=model, profile=profile, store=store)



async def test_each_turn_is_priced_from_the_aihubmix_catalogue_and_saved_with_its_prices(server, tmp_path):
    store = TranscriptStore(tmp_path / "conversations")
    session = session_with(server, "demo-mini", store=store)
    await session.catalogue_now()
    assert session.model_info("demo-mini").context_length == 400_000
    turn = await chat(session, "hello " * 300)  # long enough for the server to report cached tokens
    u = turn.usage
    assert u.cached_tokens and u.input_tokens and u.output_tokens
    expected = ((u.input_tokens - u.cached_tokens) * Decimal("0.25") + u.cached_tokens * Decimal("0.025") + u.output_tokens * Decimal("2")) / 1_000_000
    assert turn.cost.usd == expected and turn.cost.source == "aihubmix"
    saved = json.loads(store.path_for(session.conversation.id).read_text())["turns"][0]["cost"]
    assert Decimal(saved["usd"]) == expected and Decimal(saved["prices"]["input"]) == Decimal("0.25")
    reopened = store.load(session.conversation.id)
    assert reopened.turns[0].cost == turn.cost  # the price used stays with the turn
    assert session.conversation.cost_total() == (expected, 0)
    gets = [r for r in server.requests if r["method"] == "GET"]
    assert gets and all("authorization" not in r["headers"] for r in gets)  # the catalogue is public: the key is not sent


async def test_openrouter_shape_and_the_gateways_own_cost_wins(server):
    session = session_with(server, "gateway-cost", kind="openrouter", prefix="/openrouter")
    turn = await chat(session, "what does this cost?")
    await session.catalogue_now()
    assert session.catalogue.source == "openrouter" and session.model_info("gateway-cost").prices.input == Decimal("2")
    assert turn.cost.usd == Decimal("0.0123456") and turn.cost.source == "gateway"


async def test_a_turn_that_ends_before_the_catalogue_is_priced_when_it_arrives(server):
    session = session_with(server, "demo-mini")
    priced = []
    session.on_priced = lambda: priced.append(True)
    turn = await chat(session, "quick")  # nothing loaded the catalogue before: the turn ends unpriced
    assert turn.cost is None and session.catalogue is None
    await session.catalogue_now()
    assert turn.cost is not None and turn.cost.usd > 0 and priced == [True]


async def test_the_catalogue_is_cached_on_disk_and_used_offline_when_the_gateway_is_gone(server, tmp_path):
    url = f"{server.base_url.removesuffix('/v1')}/api/v1/models"
    cache = cat.CatalogueCache(tmp_path, ttl=3600)
    first = await cat.load("aihubmix", url, cache)
    assert first.get("demo-mini") and cache.path_for(url).exists()
    fetches = sum(1 for r in server.requests if r["path"] == "/api/v1/models")
    again = await cat.load("aihubmix", url, cache)
    assert again.models == first.models and sum(1 for r in server.requests if r["path"] == "/api/v1/models") == fetches  # fresh: no fetch
    server.stop()
    old = await cat.load("aihubmix", url, cat.CatalogueCache(tmp_path, ttl=0))  # stale, and the gateway is gone
    assert old.stale and old.models == first.models
    assert await cat.load("aihubmix", url, cat.CatalogueCache(tmp_path / "empty")) == cat.Catalogue()  # nothing at all: no metadata, no error


async def test_no_catalogue_and_no_prices_means_no_cost_but_config_prices_give_one(server):
    plain = session_with(server, "demo-mini", kind="none")
    turn = await chat(plain, "hi")
    await plain.catalogue_now()
    assert turn.cost is None and plain.model_info("demo-mini") is None
    priced = session_with(server, "demo-mini", kind="none", prices=cat.parse_config({"demo-mini": {"input": 1, "output": 1}}))
    turn = await chat(priced, "hi")
    await priced.catalogue_now()
    assert turn.cost.source == "config" and turn.cost.usd == Decimal(turn.usage.input_tokens + turn.usage.output_tokens) / 1_000_000
