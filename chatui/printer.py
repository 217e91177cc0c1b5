"""chatui without the UI: one turn from the command line (``chatui -p``), printed as it streams.

Plain text when stdout is a pipe or a file; Markdown rendered block by block when it
is a terminal (a finished block never changes, so it is printed once). Reasoning and
the usage line go to stderr; ``--json`` prints one object for the finished turn.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from chatui import items
from chatui.blocks import Block, BlockSplitter
from chatui.context import Gauge
from chatui.conversation import Turn
from chatui.cost import usd
from chatui.i18n import _
from chatui.mathtext import render_math
from chatui.session import Refused, Session
from chatui.text import strip_controls
from chatui.turn import Status
from chatui.updates import (
    AnswerDelta,
    AnswerReplaced,
    ReasoningDelta,
    ReasoningReplaced,
    RetryScheduled,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader (`| head`) went away


@dataclass(slots=True)
class PrintOptions:
    """How to print a turn."""

    as_json: bool = False
    reasoning: bool = False  # stream the reasoning to stderr
    usage: bool = False  # the token line on stderr at the end
    render: bool = False  # Markdown rendering (stdout is a terminal)


class PlainWriter:
    """Answer text as it arrives, control characters removed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.written = ""

    def write(self, text: str) -> None:
        """Print more answer text."""
        text = strip_controls(text)
        self.written += text
        self.out.write(text)
        self.out.flush()

    def replace(self, text: str) -> None:
        """The server's final text differs: print what extends what was printed (the transcript has the rest)."""
        text = strip_controls(text)
        if text.startswith(self.written):
            self.write(text[len(self.written):])

    def finish(self) -> None:
        """End the answer on a new line."""
        if self.written and not self.written.endswith("\n"):
            self.out.write("\n")
        self.out.flush()


class MarkdownWriter(PlainWriter):
    """Markdown rendered for the terminal, one finished block at a time."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        from rich.console import Console

        self.console = Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=False)
        self.splitter = BlockSplitter()
        self.printed = 0

    def write(self, text: str) -> None:
        """Feed more text; print the blocks it finished."""
        self.written += strip_controls(text)
        if self.splitter.feed(text):
            self._print_blocks()

    def _print_blocks(self) -> None:
        blocks = self.splitter.blocks
        for block in blocks[self.printed:]:
            self._print(block)
        self.printed = len(blocks)
        self.out.flush()

    def _print(self, block: Block) -> None:
        from rich.markdown import Markdown
        from rich.syntax import Syntax

        if self.printed and not block.joined:
            self.console.print()
        if block.kind == "code":
            self.console.print(Syntax(block.text, block.lang or "text", theme="monokai", word_wrap=True, padding=(0, 1)))
        else:
            self.console.print(Markdown(render_math(block.text), code_theme="monokai", hyperlinks=False))
        self.printed += 1

    def finish(self) -> None:
        """Print what is left."""
        self.splitter.close()
        blocks = self.splitter.blocks
        for block in blocks[self.printed:]:
            self._print(block)
        self.printed = len(blocks)
        self.out.flush()


def usage_line(turn: Turn, gauge: Gauge | None = None) -> str:
    """Tokens, timings, cost and context of a turn in one line."""
    u = turn.usage
    parts = []
    if u is not None:
        for label, value in ((_("input"), u.input_tokens), (_("cached"), u.cached_tokens), (_("output"), u.output_tokens),
                             (_("reasoning"), u.reasoning_tokens), (_("total"), u.total_tokens)):
            if value is not None:
                parts.append(f"{label} {value:,}")
    t = turn.timings
    if t.first_token is not None:
        parts.append(_("first token {seconds} s").format(seconds=f"{t.first_token:.2f}"))
    if t.total is not None:
        parts.append(f"{t.total:.2f} s")
    if turn.cost is not None:
        parts.append(_("cost {amount}").format(amount=usd(turn.cost.usd)))
    if gauge is not None:
        parts.append(_("context {share}").format(share=gauge.describe()) + (" " + _("(nearly full)") if gauge.warn else ""))
    return _("tokens: {parts}").format(parts=" · ".join(parts) if parts else _("not reported by the server"))


def turn_json(session: Session, turn: Turn) -> dict[str, Any]:
    """The finished turn as one JSON object."""
    return {
        "conversation": session.conversation.id,
        "turn": turn.id,
        "model": turn.model,
        "served_model": turn.served_model,
        "status": str(turn.status),
        "answer": turn.answer,
        "reasoning": turn.reasoning,
        "usage": turn.usage.to_dict() if turn.usage else None,
        "cost": turn.cost.to_dict() if turn.cost else None,
        "context": {"used": g.used, "limit": g.limit} if (g := session.gauge(turn)) else None,
        "timings": turn.timings.to_dict(),
        "incomplete_reason": turn.incomplete_reason,
        "error": turn.error,
        "tool_calls": [{"type": line.type, "title": line.title, "detail": line.detail} for line in items.item_lines(turn.items)],
        "sources": [{"number": src.number, "title": src.title, "url": src.url} for src in items.sources(turn.items)],
    }


def exit_code(turn: Turn) -> int:
    """0 completed, 130 stopped by the user, 1 anything else (failed, cut off, stopped early)."""
    if turn.status is Status.COMPLETED:
        return EXIT_OK
    if turn.status is Status.CANCELLED:
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def failure_message(turn: Turn) -> str | None:
    """The plain-language line for stderr when a turn did not complete."""
    if turn.status is Status.COMPLETED or turn.status is Status.CANCELLED:
        return None
    if turn.status is Status.INCOMPLETE:
        reason = turn.incomplete_reason or "unknown"
        hint = " " + _("(raise max_output_tokens in the config file)") if reason == "max_output_tokens" else ""
        return _("the answer stopped early: {reason}").format(reason=reason) + hint
    error = turn.error or {}
    message = error.get("message") or _("the turn {status}").format(status=turn.status.label)
    server = error.get("server_message")
    if server and server not in message:
        message += " " + _("Server said: {words}").format(words=server)

    return strip_controls(message)


async def print_turn(session: Session, prompt: str, opts: PrintOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Send ``prompt`` as one turn of ``session``, print it, and return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        await _warn_attachments(session, None, opts, err)
        turn = session.begin(prompt)
        _start_prices(session, opts)
    except Refused as refused:
        err.write("chatui: " + strip_controls(str(refused.message)) + "\n")
        return EXIT_USAGE
    await _print_updates(session, turn, session.run(turn), opts, out, err)
    await _wait_for_prices(session, opts)
    if opts.as_json:
        out.write(json.dumps(turn_json(session, turn), ensure_ascii=False) + "\n")
        out.flush()
    _report(turn, opts, err, gauge=session.gauge(turn))
    return exit_code(turn)


async def print_compare(session: Session, prompt: str, models: list[str], opts: PrintOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Send ``prompt`` to every model at once (same history); print each answer under its model's name.

    The answers stream concurrently; each is printed in the order given, the
    first live and the others as soon as the ones before them are done.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        await _warn_attachments(session, models, opts, err)
        turns = session.begin_compare(prompt, models)
        _start_prices(session, opts)
    except Refused as refused:
        err.write("chatui: " + strip_controls(str(refused.message)) + "\n")
        return EXIT_USAGE
    async with session.streaming_all(turns) as streams:
        for n, (turn, updates) in enumerate(zip(turns, streams)):
            if not opts.as_json:
                out.write(("\n" if n else "") + f"── {strip_controls(turn.model)} ──\n")
                out.flush()
            await _print_updates(session, turn, updates, opts, out, err, label=f"{strip_controls(turn.model)}: ")
            await _wait_for_prices(session, opts)
            _report(turn, opts, err, label=f"{strip_controls(turn.model)}: ", gauge=session.gauge(turn))
    if opts.as_json:
        out.write(json.dumps([turn_json(session, t) for t in turns], ensure_ascii=False) + "\n")
        out.flush()
    codes = {exit_code(t) for t in turns}
    return EXIT_OK if codes == {EXIT_OK} else 130 if 130 in codes else 1


async def _print_updates(session: Session, turn: Turn, updates: Any, opts: PrintOptions, out: TextIO, err: TextIO, label: str = "") -> None:
    """Print one turn's updates as they come: the answer to ``out``, reasoning and retries to ``err``."""
    writer: PlainWriter | None = None
    if not opts.as_json:
        writer = MarkdownWriter(out) if opts.render else PlainWriter(out)
    said_reasoning = False
    try:
        async with contextlib.aclosing(updates):  # an early exit (a closed pipe) closes the stream now
            async for update in updates:
                kind = type(update)
                if kind is AnswerDelta:
                    if writer is not None:
                        writer.write(update.text)
                elif kind is ReasoningDelta or kind is ReasoningReplaced:
                    if opts.reasoning and not opts.as_json and kind is ReasoningDelta:
                        err.write(strip_controls(update.text))
                        err.flush()
                        said_reasoning = True
                elif kind is AnswerReplaced and writer is not None:
                    writer.replace(update.text)
                elif kind is RetryScheduled:
                    err.write("chatui: " + strip_controls(f"{label}{update.describe(update.wait)}") + "\n")
                    err.flush()
    finally:
        if said_reasoning:
            err.write("\n")
        if writer is not None:
            writer.finish()
            if extra := items.as_text(turn.items, session.image_files(turn)):  # tool calls and sources, after the text
                out.write("\n" + extra + "\n")
                out.flush()


async def _warn_attachments(session: Session, models: list[str] | None, opts: PrintOptions, err: TextIO) -> None:
    """With files attached, say on stderr what the catalogue says the model cannot read (the files are sent anyway)."""
    if session.pending:
        await session.catalogue_now()
        if warning := session.attachment_warning(models):
            err.write("chatui: " + strip_controls(str(warning)) + "\n")


def _start_prices(session: Session, opts: PrintOptions) -> None:
    """Fetch the catalogue while the answer streams, when the cost will be printed."""
    if opts.usage or opts.as_json:
        session.load_catalogue()


async def _wait_for_prices(session: Session, opts: PrintOptions) -> None:
    """The catalogue (bounded by its own timeout; none is no cost, never an error)."""
    if opts.usage or opts.as_json:
        await session.catalogue_now()


def _report(turn: Turn, opts: PrintOptions, err: TextIO, label: str = "", gauge: Gauge | None = None) -> None:
    message = failure_message(turn)
    if message:
        err.write("chatui: " + strip_controls(f"{label}{message}") + "\n")
    if opts.usage:
        err.write(label + usage_line(turn, gauge) + "\n")
