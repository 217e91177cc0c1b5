"""Texts the scripted server streams: demo answers and generated bulk Markdown."""

from __future__ import annotations

WELCOME = """## Welcome to **chatui** 👋

This answer is streaming from the built-in **demo server** on your own machine — no network, no key.
Everything you see works the same against a real gateway:

- **Live Markdown** with highlighted code, tables and lists
- A **reasoning pane** that shows the model's thinking as it streams
- A **usage pane**: input, cached, output and reasoning tokens, time to first token, tokens/s
- **Switch models** mid-conversation with `ctrl+o` or `/model NAME`

Try asking for *code*, a *table*, or write in 中文 / 한국어 / français.

| Key | Does |
|-----|------|
| `enter` | send |
| `ctrl+j` | new line |
| `escape` | stop the answer |
| `ctrl+p` | command palette |
"""

CODE = '''Here is a small, **fast** prime sieve in Python:

```python
def primes_up_to(n: int) -> list[int]:
    """Return every prime <= n (sieve of Eratosthenes)."""
    if n < 2:
        return []
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\\x00\\x00"
    for p in range(2, int(n ** 0.5) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, n + 1, p)))
    return [i for i, flag in enumerate(sieve) if flag]


print(primes_up_to(50))
```

It runs in *O(n log log n)* time. A few notes:

1. `bytearray` keeps memory at one byte per number.
2. Slicing with a step clears multiples in C, not in Python.
3. For `n = 10_000_000` it finishes in well under a second.

Save it as `sieve.py` and try it:

```bash
python3 -c 'from sieve import primes_up_to; print(len(primes_up_to(10**6)))'
```

Focus this answer (click it, or tab) and press **1** or **2** to copy a code block, **c** for the whole answer.
'''

TABLE = """Here is a comparison of terminal chat clients:

| Client | Streaming Markdown | Reasoning pane | Model switch | Transcripts |
|--------|:------------------:|:--------------:|:------------:|:-----------:|
| chatui | ✅ | ✅ | ✅ | ✅ |
| elia   | ✅ | ❌ | ✅ | ✅ |
| oterm  | ✅ | ✅ | ✅ | ✅ |
| aichat | ✅ | ✅ | ✅ | ✅ |

> Numbers aside, the best client is the one that stays out of your way.
"""

CJK = """你好！这是一个**流式**回答的示例。🌏

- 中文：终端里的聊天应该又快又好看。
- 日本語：ストリーミングで表示しています。🚀
- 한국어: 스트리밍 답변이 잘 보이나요? 😀

Emoji with modifiers: 👩🏽‍💻 🧑‍🚀 🇫🇷 — all split across deltas and reassembled.
"""

REASONING_SUMMARY = [
    "**Understanding the request**\n\nThe user wants to see what this client can do, so I should show Markdown, code and a table.",
    "**Planning the answer**\n\nKeep it short, friendly and skimmable; mention the keys that matter.",
]

RAW_REASONING = "Okay, the user asked a question. Let me think step by step: first restate it, then check the edge cases, then answer concisely."

HOSTILE = (
    "Normal text, then an OSC 52 clipboard write \x1b]52;c;cm0gLXJmIH4=\x07 and a clear screen \x1b[2J\x1b[H, "
    "a title change \x1b]0;pwned\x07, C1 CSI \x9b31m, a bell \x07.\n\n"
    "Markup that must stay text: [bold red]not bold[/bold red], [link=https://evil.example]click[/link], "
    "[@click=app.quit]quit[/], a[/]b and [/] alone.\n\n"
    "```python\nprint('an unbalanced fence that never closes')\n"
)


def bulk_markdown(size: int = 100_000) -> str:
    """Deterministic, realistic Markdown of about ``size`` characters."""
    blocks = []
    n = 0
    i = 0
    while n < size:
        i += 1
        section = [
            f"## Section {i}: streaming at scale\n",
            "Terminal chat clients must keep up with fast models. This paragraph has **bold**, *italic*, "
            "`inline code` and a [link](https://example.com/docs) so the renderer does real work on every line.\n",
            "- first point about latency and throughput\n- second point: commit finished blocks once\n"
            "- third point with `code` and **emphasis**\n  - a nested item under the third point\n- fourth point closes the list\n",
            "```python\n"
            + "".join(f"def handler_{i}_{k}(event):\n    return event.get('delta', '')  # {k}\n\n" for k in range(4))
            + "```\n",
            "| metric | value | unit |\n|---|---:|---|\n"
            + "".join(f"| row {k} | {k * 17 + i} | ms |\n" for k in range(5)),
            "> A quote to finish the section, with a long line that wraps in narrow terminals and keeps going.\n",
        ]
        for block in section:
            blocks.append(block)
            n += len(block) + 1
    return "\n".join(blocks)[:size]


def split_even(text: str, count: int) -> list[str]:
    """Split ``text`` into ``count`` deltas of near-equal length (by characters)."""
    count = max(1, min(count, len(text)))
    step, extra = divmod(len(text), count)
    out, pos = [], 0
    for k in range(count):
        end = pos + step + (1 if k < extra else 0)
        out.append(text[pos:end])
        pos = end
    return out


def split_words(text: str, size: int = 5) -> list[str]:
    """Split into small word-ish pieces, like a tokenizer would."""
    out, buf = [], ""
    for ch in text:
        buf += ch
        if (ch in " \n" and len(buf) >= size) or len(buf) >= size * 2:
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return out


def shaped_markdown(shape: str, size: int) -> str:
    """One growing structure of about ``size`` characters: a list, a code fence, paragraphs, or one line (a paragraph without a break)."""
    if shape == "line":
        sentence = "One paragraph that never breaks, with *emphasis*, `code` and 中文, goes on and on. "
        return (sentence * (size // len(sentence) + 1))[:size]
    out: list[str] = []

    n = 0
    i = 0
    if shape == "code":
        out.append("```python\n")
    while n < size:
        i += 1
        if shape == "list":
            line = f"- item {i}: a bullet with **bold**, `code` and enough words to wrap in a narrow pane\n"
        elif shape == "code":
            line = f"def handler_{i}(event):  # streaming line {i}\n    return event.get('delta', '')\n"
        else:
            line = f"Paragraph {i} talks about streaming renderers, with *emphasis* and `code`, and it goes on for a while.\n\n"
        out.append(line)
        n += len(line)
    if shape == "code":
        out.append("```\n")
    return "".join(out)[: size - 4] + ("\n```\n" if shape == "code" else "")
