"""Command line: ``chatui [options]``, ``chatui export``, ``chatui models``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from chatui import __version__, defaults
from chatui.i18n import N_, _


def _main_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="chatui",
        description=_("A terminal chat client for Responses-API gateways (AIHubMix, OpenAI, OpenRouter, Ollama, vLLM, ...)."),
        epilog=_("Other commands: 'chatui export ID [--format md|json] [-o FILE]', 'chatui models', "
                 "'chatui config [init]'. The API key comes from CHATUI_API_KEY, then the profile's variable "
                 "(AIHUBMIX_API_KEY, then OPENAI_API_KEY for the default profile), then its key file. "
                 "The language: [ui] language in the config file, else CHATUI_LANG, else LC_ALL / LC_MESSAGES / LANG "
                 "(en, fr, zh_CN, ko). Examples: chatui -p 'why is the sky blue?'  ·  cat notes.md | chatui -p 'summarise this'  ·  "
                 "chatui -c -p 'and in French?'"),
    )
    p.add_argument("--profile", help=_("a gateway profile: aihubmix (default), openai, openrouter, ollama, or one of yours"))
    p.add_argument("--base-url", help=_("the gateway's base URL (default {url})").format(url=defaults.DEFAULT_BASE_URL))
    p.add_argument("-m", "--model", dest="models", action="append", metavar="MODEL",
                   help=_("the model for the first turn (default {model}); with -p, 2 to 4 of them compare their answers").format(model=defaults.DEFAULT_MODEL))
    p.add_argument("--demo", action="store_true", help=_("run offline against the built-in scripted server"))
    p.add_argument("--resume", nargs="?", const="", metavar="ID|PATH", help=_("continue the latest conversation, or a given one"))
    p.add_argument("-c", "--continue", dest="cont", action="store_true", help=_("continue the latest conversation (same as --resume)"))
    p.add_argument("--no-save", action="store_true", help=_("do not write transcripts for this session"))
    out = p.add_argument_group(_("without the UI"))
    out.add_argument("-p", "--print", dest="prompt", metavar="PROMPT", help=_("send PROMPT, print the answer and exit ('-': read the prompt from stdin; piped stdin is added to PROMPT)"))
    out.add_argument("-a", "--attach", action="append", metavar="PATH", default=[], help=_("with -p: attach a file (image, PDF or text; repeatable); piped binary stdin is attached too"))
    out.add_argument("--json", action="store_true", help=_("with -p: print one JSON object for the finished turn"))
    out.add_argument("--reasoning", action="store_true", help=_("with -p: stream the reasoning to stderr"))
    out.add_argument("--usage", action="store_true", help=_("with -p: print the token counts to stderr"))
    p.add_argument("--version", action="version", version=f"chatui {__version__}", help=_("show program's version number and exit"))
    return p


# argparse's own words ("usage:", "options", its errors), looked up through argparse's module-level
# ``_``: listed here so the extractor puts them in our catalogues.
_ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
)


def _say(message: object) -> None:
    """One line on stderr, prefixed; whatever a server, file or config put in it is made safe first."""
    from chatui.text import strip_controls

    print(f"chatui: {strip_controls(str(message))}", file=sys.stderr)


def choose_language(environ: Any = None) -> str | None:
    """Apply the language (config file, CHATUI_LANG, locale variables); a note when a code was unknown.

    argparse reads its words through its module's ``_``: pointing that at our catalogue is
    the one way to get ``--help`` and its errors in the user's language.
    """
    from chatui import config, i18n

    try:
        configured = config.load().ui.language
    except config.ConfigError:
        configured = None  # reported with its line number when the config is used
    code, note = i18n.choose(configured, os.environ if environ is None else environ)
    i18n.use(code)
    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    return note


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chatui`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    note = choose_language()
    if note and args[:1] in (["export"], ["models"], ["config"]):
        _say(note)
    if args and args[0] == "export":
        return _export(args[1:])
    if args and args[0] == "models":
        return _models(args[1:])
    if args and args[0] == "config":
        return _config(args[1:])
    parser = _main_parser()
    opts = parser.parse_args(args)
    opts.notes = [note] if note else []
    opts.model = opts.models[0] if opts.models else None
    if opts.models and len(opts.models) > 1 and opts.prompt is None:
        parser.error(_("several -m models compare their answers with -p PROMPT"))
    if opts.models and len(opts.models) > 4:
        parser.error(_("compare takes 2 to 4 models"))
    if opts.prompt is None and (opts.json or opts.reasoning or opts.usage):
        parser.error(_("--json, --reasoning and --usage go with -p PROMPT"))
    if opts.cont and opts.resume not in (None, ""):
        parser.error(_("use either -c or --resume ID"))
    if opts.cont:
        opts.resume = ""
    if opts.prompt is not None:
        if note:
            _say(note)
        return _print(opts)

    return _run_app(opts)


def _store(enabled: bool = True, *, demo: bool = False):
    from chatui.paths import conversations_dir
    from chatui.transcripts import TranscriptStore

    if not enabled:
        return None
    return TranscriptStore(conversations_dir(demo=demo))  # the demo keeps its own history


def _effective(profile: str | None = None, base_url: str | None = None, model: str | None = None, *, on_screen: bool = False):
    """Load the config file and resolve it; print a plain message and exit on errors.

    Warnings (a key file others can read) go to stderr, unless the TUI will show them (``on_screen``).
    """
    from chatui import config

    try:
        eff = config.resolve(config.load(), profile=profile, base_url=base_url, model=model)
    except config.ConfigError as exc:
        _say(exc)
        raise SystemExit(2) from None
    if not on_screen:
        for warning in eff.warnings:
            _say(warning)
    return eff



class _Stop(Exception):
    """A plain message and an exit code, before anything ran."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _open_session(opts: argparse.Namespace, eff):
    """The session the options ask for, and the demo server it needs (if any)."""
    from chatui.session import make_session

    server = None
    settings = eff.settings()
    if opts.demo:
        from chatui.demo import ScriptedServer

        server = ScriptedServer(pace=1.0).start()
        base_url, key, model = server.base_url, "demo", opts.model or defaults.DEMO_MODEL
    else:
        base_url, key, model = eff.base_url, eff.api_key, eff.model
    store = _store(not opts.no_save, demo=opts.demo)
    conversation = None
    try:
        if opts.resume is not None:
            conversation = _resumed(store, opts.resume)
            if opts.model:
                conversation.settings.model = opts.model
            conversation.gateway = base_url
    except _Stop:
        if server is not None:
            server.stop()
        raise
    session = make_session(base_url=base_url, api_key=key, model=model, demo=opts.demo, profile=eff.profile, settings=settings, conversation=conversation, store=store)
    return session, server


def _resumed(store, ref: str):
    from chatui.transcripts import TranscriptError

    if store is None:
        raise _Stop(_("--resume and -c need transcripts (drop --no-save)."), 2)
    try:
        if ref == "":
            latest = store.latest()
            if latest is None:
                raise _Stop(_("no saved conversation to continue."), 1)
            return store.load(latest.path)
        return store.load(ref)
    except TranscriptError as exc:
        raise _Stop(str(exc), 1) from None


def _run_app(opts: argparse.Namespace) -> int:
    eff = _effective(opts.profile, opts.base_url, opts.model, on_screen=True)
    try:
        session, server = _open_session(opts, eff)
    except _Stop as stop:
        _say(stop)
        return stop.code
    from chatui.ui.factory import make_app

    app = make_app(session, prefs=eff.ui, needs_setup=eff.needs_key and not opts.demo, notes=[*opts.notes, *eff.warnings])


    try:
        app.run()
    finally:
        if server is not None:
            server.stop()
    return 0


_STDIN_NAMES = {"image/png": "stdin.png", "image/jpeg": "stdin.jpg", "image/gif": "stdin.gif", "image/webp": "stdin.webp", "application/pdf": "stdin.pdf"}


def _read_prompt(opts: argparse.Namespace) -> tuple[str, tuple[str, bytes] | None]:
    """-p's prompt: the argument, with piped text stdin before it ('-': stdin alone); piped binary stdin to attach."""
    from chatui.attachments import detect

    stdin = sys.stdin
    piped = stdin is not None and not stdin.closed and not stdin.isatty()
    raw = (stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()) if piped else b""
    found = detect(raw[: 1 << 16]) if raw else None
    if raw and found is not None and found[0] != "text":  # an image or a PDF: attached, not read as text
        if opts.prompt == "-":
            raise _Stop(_("stdin is not text: give the prompt with -p PROMPT and pipe the file to attach it."), 2)
        return opts.prompt, (_STDIN_NAMES.get(found[1], "stdin"), raw)
    extra = raw.decode("utf-8-sig", "replace")
    if opts.prompt == "-":
        if not piped:
            raise _Stop(_("-p - reads the prompt from stdin, but stdin is a terminal."), 2)
        return extra, None
    if extra.strip():
        return f"{extra.rstrip()}\n\n{opts.prompt}", None
    return opts.prompt, None


def _print(opts: argparse.Namespace) -> int:
    import asyncio

    from chatui.printer import (
        EXIT_BROKEN_PIPE,
        EXIT_INTERRUPTED,
        PrintOptions,
        print_compare,
        print_turn,
    )

    eff = _effective(opts.profile, opts.base_url, opts.model)
    if eff.needs_key and not opts.demo:
        names = _(" or ").join(("CHATUI_API_KEY", *eff.profile.key_env))
        _say(_("no API key for the '{profile}' profile: set {names}, run 'chatui' once to store one, or use --demo.").format(profile=eff.profile.name, names=names))
        return 2
    try:
        prompt, piped_file = _read_prompt(opts)
        if not prompt.strip():
            raise _Stop(_("the prompt is empty."), 2)
        session, server = _open_session(opts, eff)
    except _Stop as stop:
        _say(stop)
        return stop.code
    from chatui.session import Refused

    try:
        if opts.attach:
            session.attach(opts.attach)
        if piped_file is not None:
            session.attach_bytes(*piped_file)
    except Refused as refused:
        _say(refused.message)
        if server is not None:
            server.stop()
        return 2
    render = sys.stdout.isatty() and not opts.json
    options = PrintOptions(as_json=opts.json, reasoning=opts.reasoning, usage=opts.usage, render=render)

    async def run() -> int:
        try:
            if len(opts.models or ()) > 1:
                return await print_compare(session, prompt, opts.models, options)
            return await print_turn(session, prompt, options)
        finally:
            await session.aclose()

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        # the turn was stopped and saved with what arrived (asyncio cancelled it)
        sys.stdout.flush()
        print("\nchatui: " + _("stopped; the partial answer is kept in the transcript."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as tools killed by SIGPIPE do; what arrived is saved
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return EXIT_BROKEN_PIPE
    finally:
        if server is not None:
            server.stop()


def _export(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui export", description=_("Export a saved conversation."))
    p.add_argument("ref", metavar="ID|PATH", help=_("a conversation id (see the history screen) or a transcript path; 'latest' for the newest"))
    p.add_argument("--format", "-f", choices=["md", "json"], default="md")
    p.add_argument("--output", "-o", help=_("write to this file instead of standard output"))
    p.add_argument("--all-branches", action="store_true", help=_("with md: every branch, not only the one on screen (json always has them all)"))
    p.add_argument("--embed", action="store_true", help=_("with json: include each attached file's bytes (base64), so the export stands alone"))
    opts = p.parse_args(argv)
    import json

    from chatui import export
    from chatui.transcripts import TranscriptError

    store = _store()
    try:
        ref = opts.ref
        if ref == "latest":
            latest = store.latest()
            if latest is None:
                _say(_("no saved conversation."))
                return 1
            ref = str(latest.path)
        conv = store.load(ref)
    except TranscriptError as exc:
        _say(exc)
        return 1
    from chatui.attachments import BlobStore

    conv.blobs = BlobStore(store.root / "blobs")
    text = export.to_markdown(conv, all_branches=opts.all_branches) if opts.format == "md" else json.dumps(export.to_json(conv, embed=opts.embed), ensure_ascii=False, indent=2) + "\n"
    if opts.output:
        with open(opts.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _models(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui models", description=_("List the current profile's models."))
    p.add_argument("--profile")
    p.add_argument("--base-url")
    p.add_argument("-l", "--long", action="store_true", help=_("with each model's context length, USD per 1M tokens in/out and capabilities, from the gateway's catalogue"))
    opts = p.parse_args(argv)
    import asyncio

    from chatui.client import ResponsesClient
    from chatui.errors import ChatError
    from chatui.text import strip_controls

    eff = _effective(opts.profile, opts.base_url)

    async def fetch() -> tuple[list[str], Any]:
        async with ResponsesClient(eff.base_url, eff.api_key) as client:
            models = await client.list_models()
        if not opts.long:
            return models, None
        from chatui.session import make_session

        session = make_session(base_url=eff.base_url, api_key=eff.api_key, profile=eff.profile)
        try:
            return models, await session.catalogue_now()
        finally:
            await session.aclose()

    try:
        models, catalogue = asyncio.run(fetch())
    except ChatError as exc:
        _say(exc)
        return 1
    for model in models:
        print(_model_row(strip_controls(model), catalogue.get(model) if catalogue is not None else None) if opts.long else strip_controls(model))
    return 0


def _model_row(model: str, info: Any) -> str:
    """'gpt-5-mini   400K   $0.25 in   $2 out   vision reasoning' (dashes where the catalogue says nothing)."""
    from chatui.catalogue import CAPABILITIES
    from chatui.context import tokens_short
    from chatui.cost import per_million

    if info is None:
        return f"{model:<40} {'–':>6}  {'–':>8}  {'–':>8}"
    prices = info.prices
    price_in = per_million(prices.input) if prices else "–"
    price_out = per_million(prices.output) if prices else "–"
    caps = " ".join(c for c in CAPABILITIES if c in info.capabilities)
    return f"{model:<40} {tokens_short(info.context_length):>6}  {price_in:>8}  {price_out:>8}  {caps}".rstrip()


def _config(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui config", description=_("Show the effective configuration, or write a starter file."))
    p.add_argument("action", nargs="?", choices=["show", "init"], default="show")
    p.add_argument("--force", action="store_true", help=_("with init: overwrite an existing file"))
    p.add_argument("--profile")
    p.add_argument("--base-url")
    p.add_argument("--model")
    opts = p.parse_args(argv)
    from chatui import config

    if opts.action == "init":
        try:
            path = config.write_starter(force=opts.force)
        except config.ConfigError as exc:
            _say(exc)
            return 1
        print(_("Wrote {path}").format(path=path))

        return 0
    from chatui.text import strip_controls

    print(strip_controls(config.describe(_effective(opts.profile, opts.base_url, opts.model))))
    return 0
