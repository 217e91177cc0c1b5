"""Commands: the one table the slash commands, keys, footer, palette and help come from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from chatui.params import short_names


@dataclass(frozen=True, slots=True)
class Command:
    """A command: typed as /name, bound to a key, listed in the palette, the footer and help.

    A front end runs every command through one handler named for it
    (``cmd_<name>`` in the TUI), whether it came from a key, the palette or the prompt.
    """

    name: str
    args: str
    help: str
    needs_arg: bool = False
    key: str = ""  # Textual key syntax; "" = no key
    footer: str = ""  # the footer's label; "" = not in the footer

    @property
    def fills_prompt(self) -> bool:
        """From the palette, it is typed into the prompt for its text rather than run."""
        return self.needs_arg or self.name in ("set", "system")


COMMANDS: tuple[Command, ...] = (
    Command("stop", "", "Stop the streaming answer (what arrived is kept)", key="escape", footer="Stop"),
    Command("model", "[NAME]", "Switch the model for the next turn (no name: open the picker)", key="ctrl+o", footer="Model"),
    Command("models", "", "List the gateway's models"),
    Command("reasoning", "", "Show or hide the reasoning pane", key="ctrl+r", footer="Reasoning"),
    Command("usage", "", "Show or hide the usage pane", key="ctrl+g", footer="Usage"),
    Command("new", "", "Start a new conversation", key="ctrl+n", footer="New"),
    Command("history", "", "Browse saved conversations", key="ctrl+l", footer="History"),
    Command("system", "[TEXT|off]", "Show, set or clear (off) the instructions (system prompt)"),
    Command("set", "[NAME VALUE]", f"Set {short_names()}; alone: list them"),
    Command("search", "[on|off]", "Let the model search the web (hosted web_search tool); alone: say whether it can"),
    Command("tools", "", "Show which tools the next request carries"),
    Command("retry", "[MODEL]", "Answer the last prompt again (to MODEL); the old answer stays as a branch"),
    Command("edit", "[N]", "Put message N (default: the last) into the input; sending it starts a branch"),
    Command("compare", "[MODEL MODEL …|off]", "Send each prompt to 2-4 models at once, side by side; alone: which, and a picker to tick them"),
    Command("tree", "", "Show every branch of the conversation and jump to one", key="ctrl+t"),
    Command("attach", "PATH [PATH …]", "Attach files (images, PDFs, text) to the next message; quote paths with spaces", needs_arg=True),
    Command("detach", "[N|all]", "Remove attachment N (default: the last) from the next message"),
    Command("compact", "[MODEL]", "Summarise the earlier turns into one item later requests send instead (they stay on screen)"),
    Command("copy", "[code [N]|reasoning|prompt]", "Copy the focused (or last) answer, its code block N, its reasoning or its prompt"),
    Command("save", "", "Save the conversation now", key="ctrl+s"),
    Command("export", "[md|json [--embed]] [PATH]", "Export the conversation as Markdown or JSON (--embed: with the attached files)"),
    Command("earlier", "", "Show earlier turns of a long conversation", key="ctrl+b"),
    Command("help", "", "Show keys and commands", key="f1", footer="Help"),
    Command("quit", "", "Quit chatui", key="ctrl+q"),
)

# Keys of the prompt itself (not commands), for the help screen.
PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "send"),
    ("ctrl+j", "new line (shift+enter where the terminal reports it)"),
    ("up / down", "recall earlier prompts"),
    ("tab", "move focus; a focused answer shows its reasoning and usage"),
    ("c / 1-9", "on a focused message: copy it / copy its code block N"),
    ("← → / R / e", "on a focused answer: other branches / answer again; on your message: edit it (a branch)"),
    ("v / 1-4", "on an answer with siblings: lay them side by side; on a compared answer: continue with answer N"),
    ("ctrl+s (picker)", "in the model picker: sort by name, price or context; type vision, reasoning, web… to filter"),
    ("mouse drag, ctrl+c", "select text in answers, reasoning or prompts; copy the selection"),
    ("ctrl+p", "command palette (every command is there)"),
)

BY_NAME = {c.name: c for c in COMMANDS}
ALIASES = {"q": "quit", "exit": "quit", "m": "model", "h": "help", "?": "help", "clear": "new", "sys": "system"}


def route(text: str) -> tuple[bool, str]:
    """(True, command line) for a /command; (False, message) otherwise ("//" sends a literal "/")."""
    stripped = text.lstrip()
    if stripped.startswith("//"):
        return False, stripped[1:]
    if stripped.startswith("/"):
        return True, stripped.strip()
    return False, text


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


def keys_text() -> str:
    """One line per key: the prompt's keys, then every command that has one."""
    rows = [*PROMPT_KEYS, *((c.key, c.help) for c in COMMANDS if c.key)]
    width = max(len(key) for key, _ in rows) + 3
    return "\n".join(f"{key:<{width}}{what}" for key, what in rows)


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
