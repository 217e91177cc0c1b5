"""Request parameters: one row each, from which /set, request bodies, config and help derive.

Adding a parameter is one row here: ``Settings`` stores values by these names,
``/set`` parses them, the config file validates them, ``chatui config`` and the
starter file list them, and :func:`request_fields` puts them on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatui.defaults import REASONING_EFFORTS, REASONING_SUMMARIES
from chatui.i18n import N_, _

CLEAR_WORDS = ("", "off", "default", "unset", "reset")
_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


@dataclass(frozen=True, slots=True)
class Param:
    """One request parameter: how it is typed, checked, named and sent."""

    name: str
    kind: str  # "float", "int", "choice" or "bool"
    help: str
    aliases: tuple[str, ...] = ()
    wire: tuple[str, ...] = ()  # where it goes in the request body; () = never sent
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None  # None: not sent, the server's default applies
    example: str = ""  # for the starter config file
    short: str = ""  # the name users type, when shorter than ``name``
    tool: str = ""  # a hosted tool this switch adds to the request's ``tools`` when on

    @property
    def toml_types(self) -> tuple[type, ...]:
        """The TOML value types the config file accepts for it."""
        return {"float": (int, float), "int": (int,), "choice": (str,), "bool": (bool,)}[self.kind]

    @property
    def hint(self) -> str:
        """The accepted values, in a few words."""
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "bool":
            return _("on or off")
        if self.high is not None:
            return _("{low} to {high}").format(low=f"{self.low:g}", high=f"{self.high:g}")
        return _("a whole number ≥ {low}").format(low=f"{self.low:g}") if self.kind == "int" else _("a number")

    def parse(self, raw: str) -> Any:
        """The value of ``raw`` text; raises ValueError with a message fit for the user."""
        text = raw.strip().lower()
        if self.kind == "bool":
            if text in _ON:
                return True
            if text in _OFF:
                return False
            raise ValueError(_("{name} is on or off.").format(name=self.name))
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(_("{name} must be one of: {choices}.").format(name=self.name.replace("_", " "), choices=", ".join(self.choices)))
            return text
        if self.kind == "int":
            try:
                value: float = int(text.replace("_", "").replace(",", ""))
            except ValueError:
                raise ValueError(_("{name} must be a whole number, e.g. {example}.").format(name=self.name, example=self.example or 100)) from None
        else:
            try:
                value = float(text)
            except ValueError:
                raise ValueError(_("{name} must be a number.").format(name=self.name)) from None
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            raise ValueError(_("{name} must be between {low} and {high}.").format(name=self.name, low=f"{self.low:g}", high=f"{self.high:g}"))
        if self.low is not None and value < self.low:
            raise ValueError(_("{name} must be at least {low}.").format(name=self.name, low=f"{self.low:g}"))
        return value

    def check(self, value: Any) -> Any:
        """Validate a typed value (from the config file or a transcript) with the same rules."""
        if self.kind == "bool":
            return self.parse("on" if value else "off")
        return self.parse(str(value))

    def show(self, value: Any) -> str:
        """The value as the user reads it."""
        if value is None:
            return _("(server default)")
        if self.kind == "bool":
            return _("on") if value else _("off")
        return str(value)

    def clears(self, raw: str) -> bool:
        """Whether ``raw`` means "unset" (the server's default applies)."""
        text = raw.strip().lower()
        if self.kind == "bool" or (self.kind == "choice" and text in self.choices):
            return False
        return text in CLEAR_WORDS


PARAMS: tuple[Param, ...] = (
    Param("temperature", "float", N_("sampling temperature"), ("temp",), ("temperature",), 0, 2, example="0.7"),
    Param("top_p", "float", N_("nucleus sampling"), (), ("top_p",), 0, 1, example="1.0"),
    Param("max_output_tokens", "int", N_("longest answer, in tokens"), ("max_tokens", "max"), ("max_output_tokens",), 16, example="8000"),
    Param("reasoning_effort", "choice", N_("how hard a reasoning model thinks"), ("effort",), ("reasoning", "effort"), choices=REASONING_EFFORTS, example='"medium"', short="effort"),
    Param("reasoning_summary", "choice", N_("reasoning summaries to stream"), ("summary",), ("reasoning", "summary"), choices=REASONING_SUMMARIES, example='"auto"', short="summary"),
    Param("replay_reasoning", "bool", N_("resend encrypted reasoning to the same model"), ("replay",), default=True, example="true", short="replay"),
    Param("web_search", "bool", N_("let the model search the web (the hosted web_search tool)"), ("search",), default=False, example="false", short="search", tool="web_search"),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
_LOOKUP: dict[str, Param] = {**BY_NAME, **{alias: p for p in PARAMS for alias in p.aliases}}


def lookup(name: str) -> Param:
    """The parameter called ``name`` (or an alias); raises ValueError naming the known ones."""
    key = name.strip().lower().replace("-", "_")
    param = _LOOKUP.get(key)
    if param is None:
        raise ValueError(_("Unknown setting '{name}'. Settable: {names}.").format(name=name, names=", ".join(BY_NAME)))
    return param


def request_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The body fields for the set values (nested where the wire nests them)."""
    body: dict[str, Any] = {}
    for param in PARAMS:
        value = values.get(param.name)
        if param.tool and value:
            body.setdefault("tools", []).append({"type": param.tool})
        if value is None or not param.wire:
            continue
        target = body
        for part in param.wire[:-1]:
            target = target.setdefault(part, {})
        target[param.wire[-1]] = value
    return body


def tools_note(values: Mapping[str, Any]) -> str:
    """/tools: which hosted tools the next request carries."""
    on = [p.tool for p in PARAMS if p.tool and values.get(p.name, p.default)]
    off = [f"/{p.short or p.name} on" for p in PARAMS if p.tool and not values.get(p.name, p.default)]
    if on:
        return _("Tools sent with each request: {tools}. chatui runs no tools of its own; hosted tools run on the server.").format(tools=", ".join(on))
    return _("No tools are sent with requests. {commands} adds the hosted one.").format(commands=" · ".join(off))


def set_help() -> str:
    """One line per parameter, for /set and the help screen."""
    width = max(len(p.name) for p in PARAMS) + 2
    lines = []
    for p in PARAMS:
        alias = " " + _("(or {aliases})").format(aliases=", ".join(p.aliases)) if p.aliases else ""
        lines.append(f"{p.name:<{width}}{p.hint}: {_(p.help)}{alias}")

    return "\n".join(lines)


def short_names() -> str:
    """The names users type: 'temperature, top_p, max_output_tokens, effort, summary, replay'."""
    return ", ".join(p.short or p.name for p in PARAMS)
