"""Slash commands: the one table the prompt and the command palette share."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: its name, argument hint and what it does."""

    name: str
    args: str
    help: str
    needs_arg: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("model", "[NAME]", "Switch the model for the next turn (no name: open the picker)"),
    Command("models", "", "List the gateway's models"),
    Command("new", "", "Start a new conversation"),
    Command("system", "[TEXT]", "Set the instructions (system prompt); no text clears them"),
    Command("set", "NAME VALUE", "Set temperature, top_p, max_output_tokens, effort, summary, replay", needs_arg=True),
    Command("retry", "", "Send the last prompt again (replaces the last answer)"),
    Command("edit", "", "Put the last prompt back into the input"),
    Command("copy", "[code [N]]", "Copy the last answer, or its Nth code block"),
    Command("save", "", "Save the conversation now"),
    Command("export", "[md|json] [PATH]", "Export the conversation as Markdown or JSON"),
    Command("history", "", "Browse saved conversations"),
    Command("help", "", "Show keys and commands"),
    Command("quit", "", "Quit chatui"),
)

BY_NAME = {c.name: c for c in COMMANDS}
ALIASES = {"q": "quit", "exit": "quit", "m": "model", "h": "help", "?": "help", "clear": "new", "sys": "system"}


class CommandError(ValueError):
    """A command line that cannot run; the message says what to type instead."""


def parse(line: str) -> tuple[Command, str]:
    """Split ``/name args``; raise CommandError with a suggestion when unknown."""
    text = line.strip()
    if not text.startswith("/"):
        raise CommandError("Commands start with '/'.")
    name, _, rest = text[1:].partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    command = BY_NAME.get(name)
    if command is None:
        close = difflib.get_close_matches(name, list(BY_NAME), n=1)
        hint = f" Did you mean /{close[0]}?" if close else " Type /help for the list."
        raise CommandError(f"Unknown command '/{name}'.{hint}")
    rest = rest.strip()
    if command.needs_arg and not rest:
        raise CommandError(f"Usage: /{command.name} {command.args}")
    return command, rest


def help_text() -> str:
    """One line per command, for /help."""
    width = max(len(c.name) + len(c.args) for c in COMMANDS) + 3
    return "\n".join(f"/{c.name} {c.args}".ljust(width) + f"  {c.help}" for c in COMMANDS)


def fuzzy_filter(query: str, items: list[str], limit: int = 200) -> list[str]:
    """Items matching ``query`` as a subsequence, best (tightest, earliest) first."""
    q = query.lower().strip()
    if not q:
        return items[:limit]
    scored = []
    for item in items:
        low = item.lower()
        if q in low:
            at = low.index(q)
            boundary = at == 0 or not low[at - 1].isalnum()
            scored.append((0 if boundary else 1, at, len(item), item))
            continue
        pos, gaps, start = -1, 0, None
        for ch in q:
            nxt = low.find(ch, pos + 1)
            if nxt < 0:
                break
            if start is None:
                start = nxt
            gaps += nxt - pos - 1 if pos >= 0 else 0
            pos = nxt
        else:
            scored.append((2 + gaps, start or 0, len(item), item))
    scored.sort()
    return [s[-1] for s in scored[:limit]]
