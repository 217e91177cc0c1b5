"""Exporting a conversation as readable Markdown or as JSON."""

from __future__ import annotations

import time
from typing import Any

from chatui import items
from chatui.blocks import close_fences
from chatui.conversation import Conversation
from chatui.cost import total as cost_sum
from chatui.cost import usd
from chatui.i18n import _
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
    for label, value in ((_("input"), u.input_tokens), (_("cached"), u.cached_tokens), (_("output"), u.output_tokens),
                         (_("reasoning"), u.reasoning_tokens), (_("total"), u.total_tokens)):
        if value is not None:
            parts.append(f"{label} {value:,}")
    if turn.timings.first_token is not None:
        parts.append(_("first token {seconds} s").format(seconds=f"{turn.timings.first_token:.2f}"))
    if turn.cost is not None:
        parts.append(_("cost {amount}").format(amount=usd(turn.cost.usd)))
    return "*" + _("Tokens: {parts}").format(parts=" · ".join(parts)) + "*" if parts else ""


def to_markdown(conv: Conversation, *, all_branches: bool = False) -> str:
    """Readable Markdown of the active branch (or of every branch): roles, models, reasoning, usage."""
    s = strip_controls
    branches = conv.branches() if all_branches else [conv.turns]
    models = sorted({t.model for branch in branches for t in branch})
    out = [f"# {s(conv.title or _('Untitled conversation'))}", ""]
    spent, unknown = cost_sum([t.cost for branch in branches for t in branch if t.usage is not None or t.cost is not None])
    if spent is not None:
        amount = _("at least {amount}").format(amount=usd(spent)) if unknown else usd(spent)
        cost = " · " + _("cost: {amount}").format(amount=amount)
    else:
        cost = ""
    names = ", ".join(s(m) for m in models) or "–"
    out.append("*" + _("chatui conversation `{id}` · {when} · models: {models}").format(id=s(conv.id), when=
_when(conv.created_at), models=names) + cost + "*")
    if conv.settings.instructions:
        out += ["", "**" + _("Instructions:") + "**", "", s(conv.settings.instructions)]
    for k, branch in enumerate(branches, 1):
        if len(branches) > 1:
            active = " " + _("(the one on screen)") if branch and branch[-1] is conv.turns[-1] else ""
            out += ["", "---", "", "# " + _("Branch {k} of {n}").format(k=k, n=len(branches)) + active]

        out += _turns_markdown(branch)
    return "\n".join(out).rstrip() + "\n"


def _turns_markdown(turns: list) -> list[str]:
    s = strip_controls
    out: list[str] = []
    for n, turn in enumerate(turns, 1):
        out += ["", "---", "", f"## {n}. " + _("You"), ""]
        out += [f"📎 {s(a.describe())}  " for a in turn.attachments] + ([""] if turn.attachments else [])
        out += [s(turn.user_text), ""]
        status = "" if turn.status is Status.COMPLETED else f" · {turn.status.label}"
        out += [f"## {n}. " + _("Assistant") + f" · `{s(turn.model)}`{status}", ""]
        if turn.reasoning:
            out.append("> **" + _("Reasoning") + "**")
            out.append(">")
            out += [f"> {line}" if line else ">" for line in s(turn.reasoning).split("\n")]
            out.append("")
        if turn.answer:
            out += [close_fences(s(turn.answer)), ""]
        if extra := items.as_text(turn.items):  # tool calls and sources
            out += [line + "  " for line in extra.split("\n")] + [""]
        if turn.error and turn.status is not Status.COMPLETED:
            out += ["*" + _("Error: {message}").format(message=s(turn.error.get("message", ""))) + "*", ""]

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
