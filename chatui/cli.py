"""Command line: ``chatui [options]``, ``chatui export``, ``chatui models``."""

from __future__ import annotations

import argparse
import sys

from chatui import __version__, defaults


def _main_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="chatui",
        description="A terminal chat client for Responses-API gateways (AIHubMix, OpenAI, OpenRouter, Ollama, vLLM, ...).",
        epilog="Other commands: 'chatui export ID [--format md|json] [-o FILE]', 'chatui models', "
        "'chatui config [init]'. The API key comes from CHATUI_API_KEY, then the profile's variable "
        "(AIHUBMIX_API_KEY, then OPENAI_API_KEY for the default profile), then its key file.",
    )
    p.add_argument("--profile", help="a gateway profile: aihubmix (default), openai, openrouter, ollama, or one of yours")
    p.add_argument("--base-url", help=f"the gateway's base URL (default {defaults.DEFAULT_BASE_URL})")
    p.add_argument("--model", help=f"the model for the first turn (default {defaults.DEFAULT_MODEL})")
    p.add_argument("--demo", action="store_true", help="run offline against the built-in scripted server")
    p.add_argument("--resume", nargs="?", const="", metavar="ID|PATH", help="continue the latest conversation, or a given one")
    p.add_argument("--no-save", action="store_true", help="do not write transcripts for this session")
    p.add_argument("--version", action="version", version=f"chatui {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chatui`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "export":
        return _export(args[1:])
    if args and args[0] == "models":
        return _models(args[1:])
    if args and args[0] == "config":
        return _config(args[1:])
    opts = _main_parser().parse_args(args)
    return _run_app(opts)


def _store(enabled: bool = True, *, demo: bool = False):
    from chatui.paths import conversations_dir
    from chatui.transcripts import TranscriptStore

    if not enabled:
        return None
    if demo:
        return TranscriptStore.temporary()  # demo chats never mix with real ones
    return TranscriptStore(conversations_dir())


def _effective(profile: str | None = None, base_url: str | None = None, model: str | None = None):
    """Load the config file and resolve it; print a plain message and exit on errors."""
    from chatui import config

    try:
        return config.resolve(config.load(), profile=profile, base_url=base_url, model=model)
    except config.ConfigError as exc:
        print(f"chatui: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _run_app(opts: argparse.Namespace) -> int:
    eff = _effective(opts.profile, opts.base_url, opts.model)
    server = None
    settings = eff.settings()
    if opts.demo:
        from chatui.demo import ScriptedServer

        server = ScriptedServer(pace=1.0).start()
        base_url, key, model = server.base_url, "demo", opts.model or defaults.DEMO_MODEL
        settings.model = model
    else:
        base_url, key, model = eff.base_url, eff.api_key, eff.model
    store = _store(not opts.no_save, demo=opts.demo)
    conversation = None
    if opts.resume is not None:
        if store is None:
            print("chatui: --resume needs transcripts (drop --no-save).", file=sys.stderr)
            return 2
        from chatui.transcripts import TranscriptError

        try:
            if opts.resume == "":
                latest = store.latest()
                if latest is None:
                    print("chatui: no saved conversation to resume.", file=sys.stderr)
                    return 1
                conversation = store.load(latest.path)
            else:
                conversation = store.load(opts.resume)
        except TranscriptError as exc:
            print(f"chatui: {exc}", file=sys.stderr)
            return 1
        if opts.model:
            conversation.settings.model = opts.model
        conversation.gateway = base_url

    from chatui.ui.app import ChatApp

    app = ChatApp(
        base_url=base_url,
        api_key=key,
        model=model,
        demo=opts.demo,
        settings=settings,
        conversation=conversation,
        store=store,
        show_reasoning=eff.ui.show_reasoning,
        show_usage=eff.ui.show_usage,
        theme=eff.ui.theme,
        profile=eff.profile,
        needs_setup=eff.needs_key and not opts.demo,
    )
    try:
        app.run()
    finally:
        if server is not None:
            server.stop()
    return 0


def _export(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui export", description="Export a saved conversation.")
    p.add_argument("ref", metavar="ID|PATH", help="a conversation id (see the history screen) or a transcript path; 'latest' for the newest")
    p.add_argument("--format", "-f", choices=["md", "json"], default="md")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
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
                print("chatui: no saved conversation.", file=sys.stderr)
                return 1
            ref = str(latest.path)
        conv = store.load(ref)
    except TranscriptError as exc:
        print(f"chatui: {exc}", file=sys.stderr)
        return 1
    text = export.to_markdown(conv) if opts.format == "md" else json.dumps(export.to_json(conv), ensure_ascii=False, indent=2) + "\n"
    if opts.output:
        with open(opts.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _models(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui models", description="List the current profile's models.")
    p.add_argument("--profile")
    p.add_argument("--base-url")
    opts = p.parse_args(argv)
    import asyncio

    from chatui.client import ResponsesClient
    from chatui.errors import ChatError

    eff = _effective(opts.profile, opts.base_url)

    async def fetch() -> list[str]:
        async with ResponsesClient(eff.base_url, eff.api_key) as client:
            return await client.list_models()

    try:
        for model in asyncio.run(fetch()):
            print(model)
    except ChatError as exc:
        print(f"chatui: {exc}", file=sys.stderr)
        return 1
    return 0


def _config(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="chatui config", description="Show the effective configuration, or write a starter file.")
    p.add_argument("action", nargs="?", choices=["show", "init"], default="show")
    p.add_argument("--force", action="store_true", help="with init: overwrite an existing file")
    p.add_argument("--profile")
    p.add_argument("--base-url")
    p.add_argument("--model")
    opts = p.parse_args(argv)
    from chatui import config

    if opts.action == "init":
        try:
            path = config.write_starter(force=opts.force)
        except config.ConfigError as exc:
            print(f"chatui: {exc}", file=sys.stderr)
            return 1
        print(f"Wrote {path}")
        return 0
    print(config.describe(_effective(opts.profile, opts.base_url, opts.model)))
    return 0
