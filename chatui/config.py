"""Configuration: gateway profiles, defaults and UI preferences from a TOML file.

Precedence, highest first: command-line flag > environment variable > the
config file > the built-in defaults. Errors name the file, the line and the key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chatui import defaults
from chatui.conversation import Settings
from chatui.i18n import N_, _, ngettext
from chatui.params import BY_NAME, PARAMS
from chatui.paths import config_dir, config_file, state_file
from chatui.text import pad


class ConfigError(Exception):
    """A configuration problem, worded for the user (file, line, key)."""


@dataclass(slots=True)
class Profile:
    """One gateway: where it is, where its key comes from, and default parameters."""

    name: str
    base_url: str
    key_env: tuple[str, ...] = ()
    key_file: str | None = None
    requires_key: bool = True
    model: str = defaults.DEFAULT_MODEL
    params: dict[str, Any] = field(default_factory=dict)  # by the names of chatui.params.PARAMS
    catalogue: str = "auto"  # where prices and context lengths come from: auto (by host), aihubmix, openrouter, none
    prices: dict[str, Any] = field(default_factory=dict)  # [profiles.NAME.prices]: per model, USD per 1M tokens (ModelInfo)
    auto_compact: float | None = None  # compact by itself when a turn fills this share of the context window

    def key_path(self) -> Path:
        """The key file: the configured one, or ``<config dir>/keys/<name>.key``."""
        return Path(self.key_file).expanduser() if self.key_file else config_dir() / "keys" / f"{self.name}.key"


BUILTIN_PROFILES: dict[str, Profile] = {
    "aihubmix": Profile("aihubmix", defaults.DEFAULT_BASE_URL, ("AIHUBMIX_API_KEY", "OPENAI_API_KEY"), model=defaults.DEFAULT_MODEL),
    "openai": Profile("openai", "https://api.openai.com/v1", ("OPENAI_API_KEY",), model="gpt-5-mini"),
    "openrouter": Profile("openrouter", "https://openrouter.ai/api/v1", ("OPENROUTER_API_KEY",), model="openai/gpt-5-mini"),
    "ollama": Profile("ollama", "http://localhost:11434/v1", (), requires_key=False, model="gpt-oss:20b"),
}
DEFAULT_PROFILE = "aihubmix"
THEMES_HINT = "textual-dark, textual-light, nord, gruvbox, tokyo-night, dracula, monokai, catppuccin-mocha"


@dataclass(slots=True)
class UIPrefs:
    """Appearance and which panes are shown."""

    theme: str | None = None
    show_reasoning: bool | None = None  # None: shown when the terminal is wide enough
    show_usage: bool | None = None
    copy_on_select: bool = False  # copy text as soon as the mouse selects it
    remembered_theme: str | None = None  # picked in the palette last time; the file's theme wins
    language: str | None = None  # [ui] language: a code (en, fr, zh_CN, ko) or a locale name

    @property
    def effective_theme(self) -> str | None:
        """The theme to start with: the config file's, else the one picked last time."""
        return self.theme or self.remembered_theme

    def remember_theme(self, theme: str) -> str | None:
        """Remember a theme picked in the app; the note says when the config file's theme will win."""
        if theme == self.effective_theme:
            return None
        remember(theme=theme)
        self.remembered_theme = theme
        return _("The config file sets theme '{theme}', which applies at the next start.").format(theme=self.theme) if self.theme else None


@dataclass(slots=True)
class Config:
    """The parsed file (or the built-ins when there is none)."""

    default_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = field(default_factory=lambda: dict(BUILTIN_PROFILES))
    ui: UIPrefs = field(default_factory=UIPrefs)
    path: Path | None = None


_PROFILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "base_url": str,
    "api_key_env": (str, list),
    "key_file": str,
    "requires_key": bool,
    "model": str,
    "catalogue": str,
    "prices": dict,
    "auto_compact": (int, float),
    **{p.name: p.toml_types for p in PARAMS},
}
CATALOGUES = ("auto", "aihubmix", "openrouter", "none")
_PRICE_KEYS = ("input", "output", "cache_read", "cache_write", "context_length", "max_output")
_UI_KEYS = {"theme": str, "show_reasoning": bool, "show_usage": bool, "copy_on_select": bool, "language": str}


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _line_of(text: str, table: str | None, key: str) -> int | None:
    """The line number of ``key`` inside ``[table]`` (best effort)."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).replace('"', "").replace("'", "")
            continue
        if current == table and re.match(rf"^[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return None


def _prices(table: dict[str, Any], bad: Any) -> dict[str, Any]:
    """``[profiles.NAME.prices]``: "model" = { input = 0.25, output = 2.0, cache_read = 0.025, context_length = 400000 }."""
    from chatui.catalogue import parse_config

    for model, entry in table.items():
        if not isinstance(entry, dict):
            raise bad(model, _("must be a table like { input = 0.25, output = 2.0 } (USD per 1M tokens)"))

        for key, value in entry.items():
            if key not in _PRICE_KEYS:
                raise bad(model, _("has an unknown key '{key}' (known: {known})").format(key=key, known=", ".join(_PRICE_KEYS)))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise bad(model, _("'{key}' must be a number of at least 0").format(key=key))
    return parse_config(table)


def load(path: Path | None = None) -> Config:
    """Read the config file (a missing file means the built-ins), plus what was remembered."""
    cfg = _load(path or config_file())
    theme = remembered().get("theme")
    cfg.ui.remembered_theme = theme if isinstance(theme, str) else None
    return cfg


def _load(path: Path) -> Config:
    cfg = Config(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return cfg
    except OSError as exc:
        raise ConfigError(_("{path}: cannot be read ({why})").format(path=path, why=exc.strerror or exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(_("{path}: is not UTF-8 text").format(path=path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path}: invalid TOML: {why}").format(path=path, why=exc)) from None

    def bad(table: str | None, key: str, why: str) -> ConfigError:
        line = _line_of(text, table, key)
        where = _("{path}, line {line}").format(path=path, line=line) if line else f"{path}"
        name = f"{table}.{key}" if table else key
        return ConfigError(f"{where}: '{name}' {why}")

    known_top = {"default_profile", "profiles", "ui"}
    for key in data:
        if key not in known_top:
            raise bad(None, key, _("is not a known setting (known: {known})").format(known=", ".join(sorted(known_top))))
    profiles = dict(BUILTIN_PROFILES)
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise bad(None, "profiles", _("must be a table of [profiles.NAME]"))
    for name, table in raw_profiles.items():
        tname = f"profiles.{name}"
        if not isinstance(table, dict):
            raise bad(None, f"profiles.{name}", _("must be a table"))
        base = profiles.get(name)
        updates: dict[str, Any] = {}
        values = dict(base.params) if base else {}
        for key, value in table.items():
            expected = _PROFILE_KEYS.get(key)
            if expected is None:
                raise bad(tname, key, _("is not a profile setting (known: {known})").format(known=", ".join(_PROFILE_KEYS)))
            if not isinstance(value, expected) or (int in _as_tuple(expected) and isinstance(value, bool)):
                raise bad(tname, key, _("has the wrong type ({type})").format(type=type(value).__name__))
            if key in BY_NAME:
                try:  # the same rules /set uses
                    values[key] = BY_NAME[key].check(value)
                except ValueError as exc:
                    raise bad(tname, key, _("is invalid: {why}").format(why=exc)) from None
                continue
            if key == "auto_compact" and not 0.5 <= value < 1:
                raise bad(tname, key, _("must be a share of the context window from 0.5 to 0.99 (e.g. 0.8)"))
            if key == "catalogue" and value not in CATALOGUES:
                raise bad(tname, key, _("must be one of {choices}").format(choices=", ".join(CATALOGUES)))
            if key == "prices":
                value = _prices(value, lambda model, why: bad(f"{tname}.prices", model, why))
            if key == "api_key_env":
                value = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
                key = "key_env"
            updates[key] = value
        if base is None:
            if "base_url" not in updates:
                raise bad(tname, "base_url", _("is required for a new profile"))
            base = Profile(name, updates["base_url"])
        profile = replace(base, params=values, **updates)
        if not re.match(r"^https?://", profile.base_url):
            raise bad(tname, "base_url", _("must start with http:// or https://"))
        profiles[name] = profile
    cfg.profiles = profiles
    default = data.get("default_profile", DEFAULT_PROFILE)
    if not isinstance(default, str) or default not in profiles:
        raise bad(None, "default_profile", _("names no profile (have: {names})").format(names=", ".join(profiles)))
    cfg.default_profile = default
    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        raise bad(None, "ui", _("must be a table"))
    for key, value in ui.items():
        if key not in _UI_KEYS:
            raise bad("ui", key, _("is not a UI setting (known: {known})").format(known=", ".join(_UI_KEYS)))
        if not isinstance(value, _UI_KEYS[key]):
            raise bad("ui", key, _("has the wrong type ({type})").format(type=type(value).__name__))
    cfg.ui = UIPrefs(ui.get("theme"), ui.get("show_reasoning"), ui.get("show_usage"), bool(ui.get("copy_on_select", False)), language=ui.get("language"))

    return cfg


def remembered() -> dict[str, Any]:
    """What chatui remembered between runs (an unreadable file is as good as none)."""
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(**values: Any) -> None:
    """Remember choices for the next run (atomically; a failure only loses the memory)."""
    from chatui.transcripts import atomic_write

    data = {**remembered(), **values}
    try:
        state_file().parent.mkdir(parents=True, exist_ok=True)
        atomic_write(state_file(), json.dumps(data).encode("utf-8"))
    except OSError:
        pass


@dataclass(slots=True)
class Effective:
    """What this run uses, and where each part came from."""

    profile: Profile
    base_url: str
    model: str
    api_key: str | None = field(repr=False)  # never in a repr, a log or a traceback
    key_source: str = "none"
    sources: dict[str, str] = field(default_factory=dict)
    ui: UIPrefs = field(default_factory=UIPrefs)
    config_path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # said at start: e.g. a key file others can read

    def settings(self) -> Settings:
        """Conversation settings from the profile's defaults."""
        return Settings(model=self.model, values=dict(self.profile.params))

    @property
    def needs_key(self) -> bool:
        """True when the profile wants a key and none was found."""
        return self.profile.requires_key and not self.api_key


def read_key_file(path: Path) -> str | None:
    """The key stored in ``path``, or None."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return key or None


def key_file_warning(path: Path) -> str | None:
    """A warning when others can read the key file (its mode lets group or others in)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return _("The key file {path} can be read by other users (mode {mode}): chmod 600 it.").format(path=path, mode=f"{mode & 0o777:o}")
    return None


def write_key_file(path: Path, key: str) -> Path:
    """Store a key readable by the user only (0600), atomically.

    Only a folder this made is set to 0700: a key file in a shared folder never locks the folder.
    """
    from chatui.transcripts import atomic_write

    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent in missing:
        os.chmod(path.parent, 0o700)

    atomic_write(path, (key.strip() + "\n").encode("utf-8"))
    os.chmod(path, 0o600)
    return path


def resolve(
    cfg: Config,
    *,
    profile: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    environ: dict[str, str] | None = None,
) -> Effective:
    """Combine flags, environment, file and built-ins (in that order of precedence)."""
    env = os.environ if environ is None else environ
    sources: dict[str, str] = {}
    if profile:
        name, sources["profile"] = profile, "--profile"
    elif env.get("CHATUI_PROFILE"):
        name, sources["profile"] = env["CHATUI_PROFILE"], "CHATUI_PROFILE"
    else:
        name = cfg.default_profile
        sources["profile"] = N_("config file") if cfg.default_profile != DEFAULT_PROFILE else N_("built-in")
    if name not in cfg.profiles:
        raise ConfigError(_("Unknown profile '{name}' (have: {names})").format(name=name, names=", ".join(cfg.profiles)))
    prof = cfg.profiles[name]
    in_file = name not in BUILTIN_PROFILES or prof != BUILTIN_PROFILES[name]

    def pick(flag: str | None, flag_name: str, env_name: str, value: str, field_name: str) -> str:
        if flag:
            sources[field_name] = flag_name
            return flag
        if env.get(env_name):
            sources[field_name] = env_name
            return env[env_name]
        sources[field_name] = N_("config file") if in_file and getattr(BUILTIN_PROFILES.get(name), field_name, None) != value else N_("built-in")
        return value

    url = pick(base_url, "--base-url", "CHATUI_BASE_URL", prof.base_url, "base_url").rstrip("/")
    chosen_model = pick(model, "--model", "CHATUI_MODEL", prof.model, "model")
    key, key_source = None, "none"
    for var in ("CHATUI_API_KEY", *prof.key_env):
        if env.get(var, "").strip():
            key, key_source = env[var].strip(), var
            break
    warnings = []
    if key is None:
        stored = read_key_file(prof.key_path())
        if stored:
            key, key_source = stored, str(prof.key_path())
            if warning := key_file_warning(prof.key_path()):
                warnings.append(warning)
    return Effective(prof, url, chosen_model, key, key_source, sources, cfg.ui, cfg.path, warnings)



def mask(key: str | None) -> str:
    """Show only the last 4 characters of a key."""
    if not key:
        return _("(none)")
    return "…" + key[-4:] if len(key) > 8 else "…" + "*" * 4


def describe(eff: Effective) -> str:
    """The effective configuration as text for ``chatui config`` (the key masked)."""
    p = eff.profile
    present = eff.config_path is not None and eff.config_path.exists()
    if eff.api_key:
        key = mask(eff.api_key) + "  " + _("(from {source})").format(source=eff.key_source)
    elif not p.requires_key:
        key = _("(none) — not needed for this profile")
    else:
        key = _("(none) — set {variables}, or start chatui to paste one").format(variables=_(" or ").join(("CHATUI_API_KEY",) + p.key_env))

    def source(name: str) -> str:
        return f"  ({_(eff.sources.get(name) or '')})"

    rows = [
        (_("config file"), f"{eff.config_path}" + ("" if present else "  " + _("(not present: built-in defaults)"))),
        (_("profile"), p.name + source("profile")),
        ("base_url", eff.base_url + source("base_url")),
        (_("model"), eff.model + source("model")),
        (_("api key"), key),
    ]
    for param in PARAMS:
        rows.append((param.name, param.show(p.params.get(param.name, param.default))))
    from chatui.catalogue import source_for


    catalogue = source_for(eff.base_url, p.catalogue)
    if catalogue:
        rows.append((_("catalogue"), f"{catalogue[0]}: {catalogue[1]}"))
    else:
        rows.append((_("catalogue"), _("none") + ("" if p.prices else " " + _("(no prices: add [profiles.NAME.prices] to see costs)"))))
    if p.prices:
        rows.append((_("prices"), ngettext("{n} model from the config file", "{n} models from the config file", len(p.prices)).format(n=len(p.prices))))
    ui = eff.ui
    rows.append(("ui.theme", ui.theme or (ui.remembered_theme + "  " + _("(picked last time)") if ui.remembered_theme else _("(default)"))))
    auto = lambda v: "auto" if v is None else str(v).lower()  # noqa: E731
    rows.append(("ui.panes", f"reasoning={auto(ui.show_reasoning)}, usage={auto(ui.show_usage)}"))
    rows.append(("ui.copy_on_select", str(ui.copy_on_select).lower()))
    from chatui.i18n import LANGUAGES, current

    rows.append(("ui.language", f"{current()} ({LANGUAGES[current()]})" + ("" if ui.language else "  " + _("(from the environment; [ui] language sets it)"))))
    return "\n".join(pad(label, 19) + value for label, value in rows)


_STARTER_PARAMS = "\n".join(f"# {p.name} = {p.example}".ljust(34) + f"# {'true or false' if p.kind == 'bool' else p.hint}: {p.help}" for p in PARAMS)
STARTER = f'''# chatui configuration. Precedence: command-line flags > environment > this file > built-ins.
# Keys are never stored here: name an environment variable (api_key_env) or a key file
# (key_file, mode 0600; chatui writes <config dir>/keys/<profile>.key when you paste a key).

# The profile used when --profile / CHATUI_PROFILE is not given.
default_profile = "aihubmix"

[profiles.aihubmix]
base_url = "{defaults.DEFAULT_BASE_URL}"
api_key_env = ["AIHUBMIX_API_KEY", "OPENAI_API_KEY"]
model = "{defaults.DEFAULT_MODEL}"
{_STARTER_PARAMS}

# Prices and context lengths come from the gateway's own catalogue where it publishes one
# (AIHubMix, OpenRouter; catalogue = "auto"). Elsewhere, give them per model, in USD per
# 1M tokens, and each turn's cost is shown; without prices no cost is shown, never a guess.
# [profiles.openai]
# base_url = "https://api.openai.com/v1"
# api_key_env = "OPENAI_API_KEY"
# model = "gpt-5-mini"
# catalogue = "none"              # auto, aihubmix, openrouter or none
# auto_compact = 0.8              # summarise earlier turns by itself when a turn fills 80% of the context
# [profiles.openai.prices]
# "gpt-5-mini" = {{ input = 0.25, output = 2.0, cache_read = 0.025, context_length = 400000 }}

# [profiles.ollama]
# base_url = "http://localhost:11434/v1"
# requires_key = false
# model = "gpt-oss:20b"

# A profile of your own:
# [profiles.work]
# base_url = "https://llm.example.com/v1"
# key_file = "~/.config/chatui/keys/work.key"
# model = "claude-sonnet-4-6"

[ui]
# theme = "textual-dark"          # {THEMES_HINT}
# show_reasoning = true           # default: shown when the terminal is 100+ columns wide
# show_usage = true
# copy_on_select = false         # copy text as soon as the mouse selects it (ctrl+c copies otherwise)
# language = "fr"                # en, fr, zh_CN or ko; default: CHATUI_LANG, then LC_ALL / LC_MESSAGES / LANG

'''


def write_starter(path: Path | None = None, *, force: bool = False) -> Path:
    """Write the commented starter file; refuse to overwrite unless ``force``."""
    path = path or config_file()
    if path.exists() and not force:
        raise ConfigError(_("{path} already exists (use --force to overwrite)").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER, encoding="utf-8")
    return path
