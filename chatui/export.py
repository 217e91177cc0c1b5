"""Exporting a conversation as readable Markdown or as JSON."""

from __future__ import annotations

import time
from typing import Any

from chatui import items
from chatui.blocks import close_fences
from chatui.conversation import Conversation
from chatui.cost import total as cost_sum
from chatui.cost import usd
from chatui.text import strip_controls
from chatui.transcripts import to_dict
from chatui.turn import Status


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _usage_line(turn) -> str:
    u = turn.usage
    if not u:
        return ""
    parts = []
    for label, value in (("input", u.input_tokens), ("cached", u.cached_tokens), ("output", u.output_tokens), ("reasoning", u.reasoning_tokens), ("total", u.total_tokens)):
        if value is not None:
            parts.append(f"{label} {value:,}")
    if turn.timings.first_token is not None:
        parts.append(f"first token {turn.timings.first_token:.2f} s")
    if turn.cost is not None:
        parts.append(f"cost {usd(turn.cost.usd)}")
    return "*Tokens: " + " · ".join(parts) + "*" if parts else ""


def to_markdown(conv: Conversation, *, all_branches: bool = False) -> str:
    """Readable Markdown of the active branch (or of every branch): roles, models, reasoning, usage."""
    s = strip_controls
    branches = conv.branches() if all_branches else [conv.turns]
    models = sorted({t.model for branch in branches for t in branch})
    out = [f"# {s(conv.title or 'Untitled conversation')}", ""]
    spent, unknown = cost_sum([t.cost for branch in branches for t in branch if t.usage is not None or t.cost is not None])
    cost = f" · cost: {'at least ' if unknown else ''}{usd(spent)}" if spent is not None else ""
    out.append(f"*chatui conversation `{conv.id}` · {_when(conv.created_at)} · models: {', '.join(s(m) for m in models) or '–'}{cost}*")
    if conv.settings.instructions:
        out += ["", "**Instructions:**", "", s(conv.settings.instructions)]
    for k, branch in enumerate(branches, 1):
        if len(branches) > 1:
            active = " (the one on screen)" if branch and branch[-1] is conv.turns[-1] else ""
            out += ["", "---", "", f"# Branch {k} of {len(branches)}{active}"]
        out += _turns_markdown(branch)
    return "\n".join(out).rstrip() + "\n"


def _turns_markdown(turns: list) -> list[str]:
    s = strip_controls
    out: list[str] = []
    for n, turn in enumerate(turns, 1):
        out += ["", "---", "", f"## {n}. You", ""]
        out += [f"📎 {s(a.describe())}  " for a in turn.attachments] + ([""] if turn.attachments else [])
        out += [s(turn.user_text), ""]
        status = "" if turn.status is Status.COMPLETED else f" · {turn.status}"
        out += [f"## {n}. Assistant · `{s(turn.model)}`{status}", ""]
        if turn.reasoning:
            out.append("> **Reasoning**")
            out.append(">")
            out += [f"> {line}" if line else ">" for line in s(turn.reasoning).split("\n")]
            out.append("")
        if turn.answer:
            out += [close_fences(s(turn.answer)), ""]
        if extra := items.as_text(turn.items):  # tool calls and sources
            out += [line + "  " for line in extra.split("\n")] + [""]
        if turn.error and turn.status is not Status.COMPLETED:
            out += [f"*Error: {s(turn.error.get('message', ''))}*", ""]
        usage = _usage_line(turn)
        if usage:
            out.append(usage)
    return out


def to_json(conv: Conversation, *, embed: bool = False) -> dict[str, Any]:
    """The transcript form, for machines; ``embed`` puts each attachment's bytes in it (base64) so the file stands alone."""
    data = to_dict(conv)
    if embed and conv.blobs is not None:
        import base64

        for turn in data.get("turns", []):
            for attachment in turn.get("attachments", []):
                raw = conv.blobs.get(attachment["sha256"])
                attachment["data_base64"] = base64.b64encode(raw).decode("ascii") if raw is not None else None
    return data
