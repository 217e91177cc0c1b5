"""What a turn's output items look like to a reader: tool calls, hosted tools, citations, refusals.

The text of messages and reasoning is shown by the answer and reasoning panes;
everything else a server sends becomes an :class:`ItemLine` (a one-line title
and, for long content, a detail to expand) and citations become a Sources
list. Front ends (the TUI, ``chatui -p``, exports) all read these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatui.i18n import N_, _, ngettext
from chatui.text import strip_controls

NO_TOOLS = N_("the model asked to call this tool; chatui runs no tools")
_CLIENT_TOOLS = {  # the client is expected to run these (chatui does not)
    "function_call": N_("tool call"),
    "custom_tool_call": N_("custom tool call"),
    "mcp_approval_request": N_("MCP approval request"),
    "local_shell_call": N_("shell command"),
    "shell_call": N_("shell command"),
    "apply_patch_call": N_("patch"),
    "computer_call": N_("computer use"),
}
_TEXT_ITEMS = ("message", "reasoning")
_TITLE_MAX = 100


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One non-text item: a one-line title, and the detail shown when it is expanded."""

    type: str
    title: str
    detail: str = ""
    note: str = ""
    path: str = ""  # a saved file to open (generated images)


@dataclass(frozen=True, slots=True)
class Source:
    """A cited source: a numbered web page or file."""

    number: int
    title: str
    url: str = ""  # empty for files


def _s(value: Any) -> str:
    """Untrusted server text as one safe string."""
    return strip_controls(value if isinstance(value, str) else "" if value is None else json.dumps(value, ensure_ascii=False))


def _one_line(text: str, limit: int = _TITLE_MAX) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"



def pretty_json(text: str) -> str:
    """Arguments as indented JSON when they parse, else as they came."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return text


def describe(item: dict[str, Any], file: Path | None = None) -> ItemLine | None:
    """How one output item reads (None for messages and reasoning, which have panes of their own).

    ``file``: where a generated image was saved.
    """
    kind = item.get("type") if isinstance(item.get("type"), str) else "unknown"
    if kind in _TEXT_ITEMS or kind.endswith("_output"):
        return None
    if kind in _CLIENT_TOOLS:
        return _client_tool(kind, item)
    if kind == "mcp_call":  # run by the server
        args, output = _s(item.get("arguments")), _s(item.get("output") or item.get("error") or "")
        detail = pretty_json(args) + (f"\n\n# result\n{output}" if output else "")
        return ItemLine(kind, f"MCP {_s(item.get('server_label')) or _('server')}: {_s(item.get('name'))}({_one_line(args, 60)})", detail)
    if kind == "mcp_list_tools":
        names = [_s(t.get("name")) for t in item.get("tools") or () if isinstance(t, dict)]
        tools = ngettext("{n} tool", "{n} tools", len(names)).format(n=len(names))
        return ItemLine(kind, f"MCP {_s(item.get('server_label')) or _('server')}: {tools}", ", ".join(names))
    if kind == "web_search_call":
        action = item.get("action") if isinstance(item.get("action"), dict) else {}
        query = _s(action.get("query") or (action.get("queries") or [None])[0] or action.get("url") or "")
        sources = [s for s in action.get("sources") or () if isinstance(s, dict)]
        detail = "\n".join(_s(s.get("url")) for s in sources)
        title = _('web search: "{query}"').format(query=_one_line(query)) if query else _("web search")
        count = ngettext("{n} source", "{n} sources", len(sources)).format(n=len(sources))
        return ItemLine(kind, title + (f" · {count}" if sources else ""), detail)
    if kind == "file_search_call":
        queries = [_s(q) for q in item.get("queries") or ()]
        results = [r for r in item.get("results") or () if isinstance(r, dict)]
        detail = "\n".join(f"{_s(r.get('filename') or r.get('file_id'))}: {_one_line(_s(r.get('text')), 200)}" for r in results)
        title = _("file search: {query}").format(query=_one_line("; ".join(queries)) or _("(no query)"))
        count = ngettext("{n} result", "{n} results", len(results)).format(n=len(results))
        return ItemLine(kind, title + (f" · {count}" if results else ""), detail)
    if kind == "code_interpreter_call":
        code = _s(item.get("code"))
        logs = "\n".join(_s(o.get("logs")) for o in item.get("outputs") or () if isinstance(o, dict) and o.get("type") == "logs")
        first = next((line for line in code.splitlines() if line.strip()), "")
        return ItemLine(kind, _("ran code: {code}").format(code=_one_line(first)) if first else _("ran code"), code + (f"\n\n# output\n{logs}" if logs else ""))
    if kind == "image_generation_call":
        prompt = _s(item.get("revised_prompt"))
        has_image = isinstance(item.get("result"), str) and bool(item.get("result"))
        path = str(file) if file is not None and file.exists() else ""
        if path:
            from chatui.images import describe_file

            saved = f" · {describe_file(file)} · {path}"
        else:
            saved = "" if has_image else " " + _("(no image data)")
        title = _("generated an image: {prompt}").format(prompt=_one_line(prompt, 60)) if prompt else _("generated an image")
        return ItemLine(kind, title + saved, prompt, path=path)
    return ItemLine(kind, _("{kind} item (chatui does not show this kind yet)").format(kind=_one_line(_s(kind), 60)))


def _client_tool(kind: str, item: dict[str, Any]) -> ItemLine:
    label = _(_CLIENT_TOOLS[kind])
    name = _s(item.get("name") or item.get("server_label") or "")
    if kind == "function_call":
        args = _s(item.get("arguments"))
    elif kind == "custom_tool_call":
        args = _s(item.get("input"))
    elif kind in ("local_shell_call", "shell_call"):
        action = item.get("action") if isinstance(item.get("action"), dict) else {}
        command = action.get("command") or action.get("commands")
        args = " ".join(_s(c) for c in command) if isinstance(command, list) else _s(command)
    else:
        args = _s({k: v for k, v in item.items() if k not in ("id", "type", "status", "call_id")})
    detail = pretty_json(args)
    title = f"{label}: {name}({_one_line(args, 60)})" if name else f"{label}: {_one_line(args)}"
    return ItemLine(kind, title, detail if detail != args or len(args) > 60 else "", _(NO_TOOLS))


def around_text(items: list[dict[str, Any]], files: dict[int, Path] | None = None) -> tuple[list[ItemLine], list[ItemLine]]:
    """Non-text items before the final answer's text, and after it (a tool call that followed the text)."""
    first = min((n for n, i in enumerate(items) if isinstance(i, dict) and i.get("type") == "message" and i.get("phase") != "commentary"), default=len(items))
    lines = [(n, line) for n, i in enumerate(items) if isinstance(i, dict) and (line := describe(i, (files or {}).get(n))) is not None]
    return [line for n, line in lines if n < first], [line for n, line in lines if n >= first]


def final_text(items: list[dict[str, Any]], numbers: dict[str, int] | None = None) -> str:
    """The answer without its commentary: the text of the other messages, in order.

    With ``numbers`` (source key -> number), each citation gets its [n] marker in the text.
    """
    texts = []
    for item in items:
        if isinstance(item, dict) and item.get("type") == "message" and item.get("phase") != "commentary":
            for p in item.get("content") or ():
                if not isinstance(p, dict):
                    continue
                if p.get("type") == "output_text":
                    text = _s(p.get("text"))
                    texts.append(_marked(text, p.get("annotations") or (), numbers) if numbers else text)
                elif p.get("type") == "refusal":
                    texts.append(_s(p.get("refusal")))
    return "\n\n".join(t for t in texts if t)


def _marked(text: str, annotations: Any, numbers: dict[str, int]) -> str:
    marks = set()
    for ann in annotations:
        number = numbers.get(_source_key(ann) or "") if isinstance(ann, dict) else None
        if number is None:
            continue
        at = ann.get("end_index") if ann.get("type") == "url_citation" else ann.get("index")
        marks.add((at if isinstance(at, int) and 0 <= at <= len(text) else len(text), number))
    for at, number in sorted(marks, reverse=True):
        text = text[:at] + f"[{number}]" + text[at:]  # a bare [n] with no reference definition stays text
    return text


def answer_view(answer: str, items: list[dict[str, Any]]) -> tuple[str, str]:
    """(commentary, the answer as shown): commentary set apart, citation markers in the text."""
    said = commentary(items)
    numbers = {key: n for n, key in enumerate(_cited(items), 1)}
    if not said and not numbers:
        return "", answer
    return said, final_text(items, numbers)


def item_lines(items: list[dict[str, Any]], files: dict[int, Path] | None = None) -> list[ItemLine]:
    """Every non-text item of a turn, in order (``files``: saved images by position)."""
    return [line for n, item in enumerate(items) if isinstance(item, dict) and (line := describe(item, (files or {}).get(n))) is not None]


def _source_key(ann: dict[str, Any]) -> str | None:
    """What makes two citations the same source: the URL, or the file."""
    if ann.get("type") == "url_citation":
        return _s(ann.get("url")) or None
    if ann.get("type") in ("file_citation", "container_file_citation"):
        return _s(ann.get("filename") or ann.get("file_id")) or None
    return None


def _cited(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each cited source once, in order of first citation: its key and that first citation."""
    first: dict[str, dict[str, Any]] = {}
    for ann in _annotations(items):
        key = _source_key(ann)
        if key and key not in first:
            first[key] = ann
    return first


def sources(items: list[dict[str, Any]]) -> list[Source]:
    """Citations of a turn's messages, numbered in order, each source once."""
    out: list[Source] = []
    for n, (key, ann) in enumerate(_cited(items).items(), 1):
        url = key if ann.get("type") == "url_citation" and key.lower().startswith(("http://", "https://")) else ""  # only web links are links
        out.append(Source(n, _one_line(_s(ann.get("title")) or key, 120), url))
    return out


def _annotations(items: list[dict[str, Any]]):
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "message":
            continue
        for part in item.get("content") or ():
            if isinstance(part, dict):
                yield from (a for a in part.get("annotations") or () if isinstance(a, dict))


def refused(items: list[dict[str, Any]]) -> bool:
    """Whether the model refused (a refusal part and no answer text)."""
    parts = [p for i in items if isinstance(i, dict) and i.get("type") == "message" for p in i.get("content") or () if isinstance(p, dict)]
    return any(p.get("type") == "refusal" for p in parts) and not any(p.get("type") == "output_text" and p.get("text") for p in parts)


def commentary(items: list[dict[str, Any]]) -> str:
    """The text of messages marked as commentary (said on the way, not the final answer)."""
    texts = []
    for item in items:
        if isinstance(item, dict) and item.get("type") == "message" and item.get("phase") == "commentary":
            texts.extend(_s(p.get("text")) for p in item.get("content") or () if isinstance(p, dict) and p.get("type") == "output_text")
    return "\n\n".join(t for t in texts if t)


def as_text(items: list[dict[str, Any]], files: dict[int, Path] | None = None) -> str:
    """Tool-call lines and the Sources list as plain text (for chatui -p and exports); empty when none."""
    lines = [f"[{line.title}]" + (f" ({line.note})" if line.note else "") for line in item_lines(items, files)]
    cited = sources(items)
    if cited:
        lines.append(_("Sources:"))

        lines.extend(f"[{s.number}] {s.title}" + (f" — {s.url}" if s.url and s.url != s.title else "") for s in cited)
    return "\n".join(lines)
