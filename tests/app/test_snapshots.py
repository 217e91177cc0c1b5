"""SVG snapshots of the main screens (deterministic data, no timing values)."""

from __future__ import annotations

from chatui.conversation import Conversation, Settings, Turn
from chatui.turn import Status, Timings, Usage
from chatui.ui.factory import make_app

SIZE = (120, 40)
ANSWER = """Here is a **prime sieve**:

```python
def primes(n):
    return [p for p in range(2, n) if all(p % d for d in range(2, p))]
```

- fast enough for small `n`
- 简单 and readable 😀

| n | primes |
|---|-------:|
| 10 | 4 |
"""


def fixed_conversation() -> Conversation:
    conv = Conversation(Settings(model="demo-mini"), "http://127.0.0.1:1/v1", id="snapshot", title="Primes")
    conv.turns = [
        Turn(user_text="Write a prime sieve", model="chatui-demo", gateway="x", id="t1", status=Status.COMPLETED, answer=ANSWER,
             reasoning="**Choosing an approach**\n\nA list comprehension keeps it short.", usage=Usage(120, 64, 300, 128, 420), timings=Timings(0.42, 2.0, 190.0)),
        Turn(user_text="Now fail", model="fail-midstream", gateway="x", id="t2", status=Status.FAILED, answer="The three largest moons of Saturn are",
             error={"kind": "StreamFailed", "title": "The answer failed", "message": "The server failed in the middle of the answer; the part that arrived is kept. You can retry."},
             usage=None, timings=Timings()),
    ]
    return conv


def make(conversation=None, size_demo=True):
    return make_app(base_url="http://127.0.0.1:1/v1", api_key="demo", model="chatui-demo", demo=size_demo, conversation=conversation, store=None)


def test_welcome_screen(snap_compare):
    assert snap_compare(make(), terminal_size=SIZE)


def test_conversation_with_reasoning_usage_and_an_error(snap_compare):
    async def select_first(pilot):
        pilot.app.query("AssistantMessage").first().focus()
        await pilot.pause()

    assert snap_compare(make(fixed_conversation()), terminal_size=SIZE, run_before=select_first)


def test_narrow_80x24(snap_compare):
    assert snap_compare(make(fixed_conversation()), terminal_size=(80, 24))


def test_help_screen(snap_compare):
    assert snap_compare(make(), terminal_size=SIZE, press=["f1"])
