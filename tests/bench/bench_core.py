"""Core throughput: our client + accumulator against a bare httpx-sse loop, same stream, same run."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from httpx_sse import aconnect_sse

from chatui.chat import stream_turn
from chatui.client import ResponsesClient
from chatui.conversation import Conversation, Settings
from chatui.demo import ScriptedServer


async def bare(base_url: str, model: str) -> tuple[float, int]:
    """Floor: httpx-sse frames + json.loads, no typing, no accumulation."""
    import json

    t0 = time.perf_counter()
    n = 0
    async with httpx.AsyncClient(timeout=60) as client:
        async with aconnect_sse(client, "POST", f"{base_url}/responses", json={"model": model, "input": "x", "stream": True}) as source:
            async for sse in source.aiter_sse():
                json.loads(sse.data)
                n += 1
    return time.perf_counter() - t0, n


async def ours(base_url: str, model: str) -> tuple[float, int]:
    """Full path: request, typed events, accumulator, turn outcome."""
    t0 = time.perf_counter()
    client = ResponsesClient(base_url, "k")
    conv = Conversation(Settings(model=model, replay_reasoning=False), base_url)
    turn = conv.start_turn("x")
    n = 0
    async for _ in stream_turn(client, conv, turn):
        n += 1
    await client.aclose()
    assert turn.status.ok
    return time.perf_counter() - t0, n


def run(runs: int = 5) -> dict:
    """Median seconds for each path on 20,000 and 2,000 deltas of 100 KB."""
    out = {}
    with ScriptedServer(pace=0) as server:
        for model, label in (("bulk-20000-100000", "20k deltas"), ("bulk-2000-100000", "2k deltas")):
            b = [asyncio.run(bare(server.base_url, model))[0] for _ in range(runs)]
            o = [asyncio.run(ours(server.base_url, model))[0] for _ in range(runs)]
            out[f"core {label}: bare httpx-sse loop (s)"] = statistics.median(b)
            out[f"core {label}: chatui client+accumulator (s)"] = statistics.median(o)
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:55} {value:.3f}")
