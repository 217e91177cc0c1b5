"""The core never imports Textual: it must be usable on its own."""

import pkgutil
import subprocess
import sys

import chatui

# every module of the package outside chatui.ui (new core modules are covered without a list)
CORE = sorted(m.name for m in pkgutil.walk_packages(chatui.__path__, "chatui.") if not m.name.startswith("chatui.ui") and m.name != "chatui.__main__")


def test_the_core_list_is_the_whole_core():
    assert {"chatui.session", "chatui.params", "chatui.printer", "chatui.updates", "chatui.cli"} <= set(CORE)


def test_core_imports_no_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_demo_server_events_validate_against_the_openai_sdk_types():
    import json

    from pydantic import TypeAdapter

    from openai.types.responses import ResponseStreamEvent

    from chatui.demo import scenarios

    adapter = TypeAdapter(ResponseStreamEvent)
    for model in ("chatui-demo", "demo-reasoning", "demo-cjk", "incomplete", "fail-midstream", "function-call"):
        reply = scenarios.find(model)({"input": "hi", "stream": True}, {}, model)
        raw = b"".join(c for c, _ in reply.chunks).decode()
        for line in raw.splitlines():
            if line.startswith("data: {"):
                adapter.validate_python(json.loads(line[6:]))
