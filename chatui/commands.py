"""Commands: the one table the slash commands, keys, footer, palette and help come from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from chatui.i18n import N_, _
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
    def description(self) -> str:
        """What it does, in the language in use."""
        return _(self.help).format(names=short_names())

    @property
    def label(self) -> str:
        """The footer's label in the language in use ("" = not in the footer)."""
        return _(self.footer) if self.footer else ""

    @property
    def fills_prompt(self) -> bool:
        """From the palette, it is typed into the prompt for its text rather than run."""
        return self.needs_arg or self.name in ("set", "system")


COMMANDS: tuple[Command, ...] = (
    Command("stop", "", N_("Stop the streaming answer (what arrived is kept)"), key="escape", footer=N_("Stop")),
    Command("model", "[NAME]", N_("Switch the model for the next turn (no name: open the picker)"), key="ctrl+o", footer=N_("Model")),
    Command("models", "", N_("List the gateway's models")),
    Command("reasoning", "", N_("Show or hide the reasoning pane"), key="ctrl+r", footer=N_("Reasoning")),
    Command("usage", "", N_("Show or hide the usage pane"), key="ctrl+g", footer=N_("Usage")),
    Command("new", "", N_("Start a new conversation"), key="ctrl+n", footer=N_("New")),
    Command("history", "", N_("Browse saved conversations"), key="ctrl+l", footer=N_("History")),
    Command("system", "[TEXT|off]", N_("Show, set or clear (off) the instructions (system prompt)")),
    Command("set", "[NAME VALUE]", N_("Set {names}; alone: list them")),
    Command("search", "[on|off]", N_("Let the model search the web (hosted web_search tool); alone: say whether it can")),
    Command("tools", "", N_("Show which tools the next request carries")),
    Command("retry", "[MODEL]", N_("Answer the last prompt again (to MODEL); the old answer stays as a branch")),
    Command("edit", "[N]", N_("Put message N (default: the last) into the input; sending it starts a branch")),
    Command("compare", "[MODEL MODEL …|off]", N_("Send each prompt to 2-4 models at once, side by side; alone: which, and a picker to tick them")),
    Command("tree", "", N_("Show every branch of the conversation and jump to one"), key="ctrl+t"),
    Command("attach", "PATH [PATH …]", N_("Attach files (images, PDFs, text) to the next message; quote paths with spaces"), needs_arg=True),
    Command("detach", "[N|all]", N_("Remove attachment N (default: the last) from the next message")),
    Command("compact", "[MODEL]", N_("Summarise the earlier turns into one item later requests send instead (they stay on screen)")),
    Command("copy", "[code [N]|reasoning|prompt]", N_("Copy the focused (or last) answer, its code block N, its reasoning or its prompt")),
    Command("save", "", N_("Save the conversation now"), key="ctrl+s"),
    Command("export", "[md|json [--embed]] [PATH]", N_("Export the conversation as Markdown or JSON (--embed: with the attached files)")),
    Command("earlier", "", N_("Show earlier turns of a long conversation"), key="ctrl+b"),
    Command("lang", "[CODE]", N_("Switch the interface language: en, fr, zh_CN or ko; alone: say which is in use")),

    Command("help", "", N_("Show keys and commands"), key="f1", footer=N_("Help")),
    Command("quit", "", N_("Quit chatui"), key="ctrl+q"),
)

# Keys of the prompt itself (not commands), for the help screen.
PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", N_("send")),
    ("ctrl+j", N_("new line (shift+enter where the terminal reports it)")),
    ("up / down", N_("recall earlier prompts")),
    ("tab", N_("move focus; a focused answer shows its reasoning and usage")),
    ("c / 1-9", N_("on a focused message: copy it / copy its code block N")),
    ("← → / R / e", N_("on a focused answer: other branches / answer again; on your message: edit it (a branch)")),
    ("v / 1-4", N_("on an answer with siblings: lay them side by side; on a compared answer: continue with answer N")),
    ("ctrl+s (picker)", N_("in the model picker: sort by name, price or context; type vision, reasoning, web… to filter")),
    ("mouse drag, ctrl+c", N_("select text in answers, reasoning or prompts; copy the selection")),
    ("ctrl+p", N_("command palette (every command is there)")),
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
        raise CommandError(_("Commands start with '/'."))
    name, _sep, rest = text[1:].partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    command = BY_NAME.get(name)
    if command is None:
        close = difflib.get_close_matches(name, list(BY_NAME), n=1)
        hint = _("Did you mean /{name}?").format(name=close[0]) if close else _("Type /help for the list.")
        raise CommandError(_("Unknown command '/{name}'.").format(name=name) + " " + hint)
    rest = rest.strip()
    if command.needs_arg and not rest:
        raise CommandError(_("Usage: /{name} {args}").format(name=command.name, args=command.args))
    return command, rest


def help_text() -> str:
    """One line per command, for /help."""
    width = max(len(c.name) + len(c.args) for c in COMMANDS) + 3
    return "\n".join(f"/{c.name} {c.args}".ljust(width) + f"  {c.description}" for c in COMMANDS)


def keys_text() -> str:
    """One line per key: the prompt's keys, then every command that has one."""
    rows = [*((key, _(what)) for key, what in PROMPT_KEYS), *((c.key, c.description) for c in COMMANDS if c.key)]

    width = max(len(key) for key, _what in rows) + 3
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
