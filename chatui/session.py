"""The headless chat session: every rule of chatui, under every front end.

A :class:`Session` owns the gateway, the HTTP client, the conversation and the
transcript store. The TUI and ``chatui -p`` both go through it: commands are
methods that return a line to show (or raise :class:`Refused` with a message
for the user), and a turn streams as typed updates (:mod:`chatui.updates`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatui.blocks import code_blocks
from chatui.conversation import Conversation, Settings, Turn
from chatui.cost import usd
from chatui.defaults import DEFAULT_MODEL
from chatui.i18n import N_, _, ngettext
from chatui.params import tools_note
from chatui.text import file_safe, strip_controls
from chatui.turn import Status
from chatui.updates import BY_CHANNEL, Update

KEEP_VERBATIM = 1  # /compact leaves the last exchange as it is, so the conversation reads on naturally
SUMMARY_ROOM = 8_000  # tokens a compaction model's window needs beyond the turns: the prompt and the summary

# English message ids: shown through _() where they are used, so /lang applies to them.
NO_KEY = N_("No API key: set CHATUI_API_KEY and restart, or run chatui --demo.")
NO_KEY_NOTE = N_(
    "No API key is set. Set CHATUI_API_KEY (or AIHUBMIX_API_KEY / OPENAI_API_KEY) and restart, "
    "or run `chatui --demo` to try it offline."
)
DEMO_NOTE = N_(
    "Demo mode: answers come from chatui's built-in scripted server on 127.0.0.1 — nothing leaves this machine. "
    "Ask anything; try 'show me some code', 'a table', or write in 中文."
)
STILL_STREAMING = N_("An answer is still streaming: press escape to stop it first.")


@dataclass(slots=True)
class Gateway:
    """Where turns go: the base URL, the key (never shown) and the profile it came from."""

    base_url: str
    api_key: str | None = field(default=None, repr=False)
    profile: Any = None  # a chatui.config.Profile, when the gateway came from one
    demo: bool = False

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    @property
    def requires_key(self) -> bool:
        """Whether this gateway wants a key at all (Ollama does not)."""
        return self.profile.requires_key if self.profile is not None else True

    @property
    def needs_key(self) -> bool:
        """True when a key is wanted and none is set: nothing can be sent."""
        return not self.api_key and not self.demo and self.requires_key


@dataclass(frozen=True, slots=True)
class Notice:
    """Something to tell the user outside the conversation flow (a failed save, a saved key)."""

    message: str
    title: str = ""
    severity: str = "information"  # "information", "warning" or "error"


class Refused(Exception):
    """A command that cannot run now; the message says why and what to do instead."""

    def __init__(self, message: str, *, title: str = "", severity: str = "warning") -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.severity = severity


def _save_failed(why: object) -> Refused:
    return Refused(_("Could not save the conversation ({why}); it stays in memory.").format(why=why), title=_("Save failed"), severity="error")


class Session:
    """One conversation with one gateway, and the rules for everything the user can do."""

    def __init__(
        self,
        gateway: Gateway,
        settings: Settings | None = None,
        *,
        conversation: Conversation | None = None,
        store: Any = None,
        on_notice: Callable[[Notice], None] | None = None,
    ) -> None:
        self.gateway = gateway
        if conversation is None:
            conversation = Conversation(settings or Settings(DEFAULT_MODEL), gateway.base_url)
        self.store = store
        self._temp_blobs: Any = None  # attachments of a session that saves nothing (removed by aclose)
        self._saves: Any = None  # BackgroundSaves, once save_in_background was called
        self._loop: Any = None
        self.pending: list[Any] = []  # attachments for the next message (chatui.attachments.Attachment)
        self.conversation = conversation
        self.on_notice = on_notice or (lambda notice: None)
        self.streaming: Turn | None = None
        self.fork_at: Turn | None = None  # an edited earlier message: the next send branches there
        self.compare_models: list[str] = []  # /compare: each prompt goes to all of these at once
        self._pumps: dict[str, asyncio.Task[None]] = {}  # the compare streams, by turn id
        self.models_cache: list[str] | None = None
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._task: asyncio.Task | None = None
        self._old_clients: list[Any] = []
        self._demo_server: Any = None  # started by use_demo(), stopped by aclose()
        self.catalogue: Any = None  # chatui.catalogue.Catalogue once loaded (prices, context lengths)
        self._catalogue_task: asyncio.Task | None = None
        self._unpriced: list[Turn] = []  # turns that ended before the catalogue arrived
        self.compacting = False  # a /compact summary is being written
        self._stop_compacting = False
        self.on_priced: Callable[[], None] = lambda: None  # costs were filled in late (the UI repaints)

    @property
    def conversation(self) -> Conversation:
        """The conversation on screen (its attachments read from this session's blob store)."""
        return self._conversation

    @conversation.setter
    def conversation(self, conversation: Conversation) -> None:
        self._conversation = conversation
        conversation.blobs = self.blobs

    @property
    def blobs(self) -> Any:
        """Where attachment bytes live: ``blobs/`` beside the transcripts, else a private temp dir."""
        from chatui.attachments import BlobStore

        if self.store is not None:
            return BlobStore(self.store.root / "blobs")
        if self._temp_blobs is None:
            self._temp_blobs = BlobStore(None)  # its folder is made only when a file is attached
        return self._temp_blobs

    @property
    def settings(self) -> Settings:
        """The settings the next turn is sent with."""
        return self.conversation.settings

    # -- attachments -------------------------------------------------------------------
    def attach(self, paths: list[str]) -> str:
        """/attach PATH…: read each file (by content: image, PDF or text) for the next message; the note says what was added.

        Files that cannot be attached are named, with why; the others are attached anyway.
        Slow for big files: a UI calls this in a thread.
        """
        from chatui.attachments import AttachmentError, read

        if not paths:
            raise Refused(_("Usage: /attach PATH [PATH…] (quote paths with spaces)"), title="/attach")
        added, problems = [], []
        blobs = self.blobs
        for raw in paths:
            try:
                attachment = read(Path(raw).expanduser(), blobs)
            except AttachmentError as exc:
                problems.append(str(exc))
                continue
            self.pending.append(attachment)
            added.append(attachment.describe())
        note = _("Attached {files}. They go with your next message (/detach N removes one).").format(files="; ".join(added)) if added else ""
        if problems:
            refused = _("Not attached: {problems}").format(problems=" ".join(problems))
            raise Refused(" ".join(filter(None, [note, refused])), title="/attach", severity="warning" if added else "error")
        return note

    def attach_bytes(self, name: str, data: bytes) -> Any:
        """Attach bytes already read (piped stdin) to the next message."""
        from chatui.attachments import AttachmentError, from_bytes

        try:
            attachment = from_bytes(name, data, self.blobs)
        except AttachmentError as exc:
            raise Refused(str(exc), title=_("Attach"), severity="error") from None
        self.pending.append(attachment)
        return attachment

    def attachment_warning(self, models: list[str] | None = None) -> str | None:
        """What the catalogue says the model(s) cannot read of the pending files (None: nothing known against them)."""
        if not self.pending:
            return None
        needs = {"image": "vision", "pdf": "files"}
        kinds = {a.kind for a in self.pending if a.kind in needs}
        problems = []
        for model in models or [self.settings.model]:
            info = self.model_info(model)
            if info is None or not info.capabilities:
                continue  # nothing known: no warning, never a guess
            missing = [k for k in sorted(kinds) if needs[k] not in info.capabilities]
            if missing:
                kinds_text = _(" or ").join(_("images") if k == "image" else _("PDFs") for k in missing)
                problems.append(_("{model} takes no {kinds}").format(model=model, kinds=kinds_text))
        if not problems:
            return None
        return _("The catalogue says {problems} (the gateway may refuse or ignore them).").format(problems="; ".join(problems))

    def detach(self, arg: str) -> str:
        """/detach [N|all]: remove attachment N (default: the last) from the next message."""
        if not self.pending:
            raise Refused(_("Nothing is attached."), severity="information")
        word = strip_controls(arg).strip().lower()
        if word == "all":
            count, self.pending = len(self.pending), []
            return ngettext("Removed {count} attachment.", "Removed {count} attachments.", count).format(count=count)
        if word and (not word.isdigit() or not 1 <= int(word) <= len(self.pending)):
            raise Refused(_("/detach N takes a number from 1 to {last}, or all.").format(last=len(self.pending)), title="/detach")
        gone = self.pending.pop(int(word) - 1 if word else -1)
        return _("Removed {name}.").format(name=gone.name)

    @property
    def client(self) -> Any:
        """The HTTP client, made on first use: httpx is not needed for the first frame.

        A UI may make it early in a thread (its TLS context takes ~0.1 s): the lock keeps that to one client.
        """
        with self._client_lock:
            if self._client is None:
                from chatui.client import ResponsesClient

                self._client = ResponsesClient(self.gateway.base_url, self.gateway.api_key)
            return self._client

    # -- turns ---------------------------------------------------------------------
    def check_can_send(self) -> None:
        """Raise Refused unless a turn can start now."""
        if self.streaming is not None:
            raise Refused(_(STILL_STREAMING))
        if self.compacting:
            raise Refused(_("The conversation is being compacted: press escape to stop, or wait a moment."))
        if self.gateway.needs_key:
            raise Refused(_(NO_KEY), title=_("Cannot send"), severity="error")

    def begin(self, text: str, model: str | None = None) -> Turn:
        """Start a turn for ``text`` (saved at once); stream it with :meth:`run`.

        After /edit, the turn branches where the edited message was (the old branch stays).
        """
        self.check_can_send()
        conv, fork_at, self.fork_at = self.conversation, self.fork_at, None
        if fork_at is not None and fork_at in conv.turns:
            conv.fork(fork_at)
        turn = conv.start_turn(text, model=model, attachments=self.pending)
        self.pending = []
        self.streaming = turn
        self.autosave()
        return turn

    async def run(self, turn: Turn) -> AsyncIterator[Update]:
        """Stream ``turn`` as typed updates; when this ends the turn holds its outcome and is saved.

        Errors end the turn (never this iterator with an exception); :meth:`stop`
        or cancelling the consuming task stops it, keeping what arrived.
        """
        from chatui.chat import stream_turn

        self.streaming = turn
        self._task = asyncio.current_task()
        try:
            async with contextlib.aclosing(stream_turn(self.client, self.conversation, turn)) as updates:
                async for channel, text in updates:
                    yield BY_CHANNEL[channel](text)
        finally:
            self.streaming = None
            self._task = None
            self.price(turn)
            self.autosave()
            self._save_images(turn)

    # -- prices and the context window ------------------------------------------------------
    def catalogue_source(self) -> tuple[str, str] | None:
        """Which catalogue this gateway publishes, and where (the demo serves AIHubMix's shape)."""
        from chatui.catalogue import source_for

        profile = self.gateway.profile
        setting = "aihubmix" if self.gateway.demo else getattr(profile, "catalogue", "auto")
        return source_for(self.gateway.base_url, setting)

    def load_catalogue(self) -> asyncio.Task:
        """Start loading the catalogue (once per gateway); the task's result is the catalogue."""
        if self._catalogue_task is None:
            self._catalogue_task = asyncio.get_running_loop().create_task(self._load_catalogue())
        return self._catalogue_task

    async def _load_catalogue(self) -> Any:
        from chatui import catalogue as cat
        from chatui.paths import catalogues_dir

        gateway, source = self.gateway, self.catalogue_source()
        loaded = cat.Catalogue()
        if source is not None:
            kind, url = source
            try:
                if gateway.demo:  # a new port each run: nothing worth keeping on disk
                    loaded = await cat.fetch(kind, url) or cat.Catalogue()
                else:
                    loaded = await cat.load(kind, url, cat.CatalogueCache(catalogues_dir()))
            except Exception:  # noqa: BLE001 - no catalogue is "no metadata", never an error
                loaded = cat.Catalogue()
        loaded = loaded.with_overrides(getattr(gateway.profile, "prices", None) or {})
        if gateway is self.gateway:  # not switched meanwhile
            self.catalogue = loaded
            waiting, self._unpriced = self._unpriced, []
            if any([self.price(turn) for turn in waiting]):
                self.autosave()
                self.on_priced()
        return loaded

    async def catalogue_now(self) -> Any:
        """The catalogue, waiting for it to load if need be."""
        return await asyncio.shield(self.load_catalogue())

    def model_info(self, model: str) -> Any:
        """What the catalogue knows of ``model`` (None when not loaded or not listed)."""
        return self.catalogue.get(model) if self.catalogue is not None else None

    def gauge(self, turn: Turn | None = None) -> Any:
        """How full the context window was after ``turn`` (default: the last on screen); None when unknown."""
        from chatui.context import gauge

        turns = self.conversation.turns
        turn = turn if turn is not None else next((t for t in reversed(turns) if t.usage), None)
        if turn is None:
            return None
        info = self.model_info(turn.model)
        return gauge(turn.usage, info.context_length if info else None)

    def context_advice(self, turn: Turn, gauge: Any) -> str:
        """What to say when the context window is nearly full: how full, and the next steps."""
        bigger = self.larger_context_models(turn.model)
        if bigger:
            switch = _("or switch to a model with a longer context ({models})").format(models=", ".join(bigger[:3]))
        else:
            switch = _("or switch to a model with a longer context")
        return _("This conversation fills {share} of {model}'s context. /compact summarises the earlier turns; or start a new one (ctrl+n), {switch}.").format(
            share=gauge.describe(), model=turn.model, switch=switch)

    # -- compaction --------------------------------------------------------------------
    def compact_plan(self, arg: str = "") -> tuple[list[Turn], str]:
        """The turns /compact would summarise (all but the last exchange, after any earlier summary) and the model to use."""
        self.check_can_send()
        path = self.conversation.turns
        done = self.conversation.compacted_through()
        todo = path[:-KEEP_VERBATIM] if len(path) > KEEP_VERBATIM else []
        if len(todo) <= done or not any(t.answer for t in todo[done:]):
            raise Refused(_("Nothing to compact yet: the last exchange always stays as it is, and earlier turns are summarised already.") if done else
                          _("Nothing to compact yet: it summarises the turns before the last exchange."), severity="information", title="/compact")
        model = strip_controls(arg).strip() or self.compact_model(self._estimate_tokens(todo))
        return todo, model

    def _estimate_tokens(self, turns: list[Turn]) -> int:
        """How many tokens sending ``turns`` takes: what the server counted last time, else a quarter of the characters."""
        counted = turns[-1].usage.input_tokens if turns and turns[-1].usage and turns[-1].usage.input_tokens else 0
        chars = sum(len(t.user_text) + len(t.answer) for t in turns)
        return max(counted, chars // 4)

    def compact_model(self, tokens: int) -> str:
        """The cheapest text model the catalogue knows whose window fits ``tokens`` (and a summary); else the current model."""
        catalogue = self.catalogue
        if catalogue is None or not catalogue.models:
            return self.settings.model
        usable = set(self.models_cache) if self.models_cache else None  # what this key can reach, when listed
        fits = [m for m in catalogue.models.values()
                if m.chat and m.prices is not None and m.prices.known and (m.context_length or 0) >= tokens + SUMMARY_ROOM and (usable is None or m.id in usable)]
        if not fits:
            return self.settings.model
        fits.sort(key=lambda m: (m.prices.input, m.prices.output, m.id))
        return fits[0].id

    async def compact(self, arg: str = "") -> str:
        """/compact [MODEL]: summarise the earlier turns of this branch into one item later requests send instead.

        The turns stay in the transcript and on screen; a failure changes nothing.
        """
        from chatui.chat import stream_turn
        from chatui.conversation import SUMMARY_PROMPT, Compaction, user_item
        from chatui.cost import turn_cost

        await self.catalogue_now()
        todo, model = self.compact_plan(arg)
        conv = self.conversation
        items, _extra = conv.history(todo, model, self.gateway.base_url, replay=False, text_only=True)
        body = {"model": model, "input": [*items, user_item(SUMMARY_PROMPT)], "store": False, "stream": True}
        self.compacting = True
        self._task = asyncio.current_task()
        summary = Turn(SUMMARY_PROMPT, model, self.gateway.base_url)  # a scratch turn: never part of the conversation
        try:
            async with contextlib.aclosing(stream_turn(self.client, conv, summary, body)) as updates:
                async for _update in updates:
                    pass
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not self._stop_compacting or task is None:
                raise
            task.uncancel()  # our own escape, not the app closing: say so instead
            raise Refused(_("Compaction stopped: nothing was changed."), title="/compact", severity="information") from None
        finally:
            self.compacting = self._stop_compacting = False
            self._task = None
        if summary.status is not Status.COMPLETED or not summary.answer.strip():
            why = (summary.error or {}).get("message") or _("the summary {status}").format(status=summary.status.label)
            raise Refused(_("Could not compact: {why}. Nothing was changed.").format(why=why.rstrip(".")), title="/compact", severity="error")
        info = self.model_info(model)
        cost = turn_cost(summary.usage, info, self.catalogue.source if self.catalogue else "")
        todo[-1].compaction = Compaction(summary.answer.strip(), model, len(todo), summary.usage, cost)
        self.autosave()
        spent = f", {usd(cost.usd)}" if cost else ""
        if summary.usage and summary.usage.output_tokens:
            n = summary.usage.output_tokens
            size = ngettext("{n} token", "{n} tokens", n).format(n=f"{n:,}")
        else:
            size = ngettext("{n} character", "{n} characters", len(summary.answer)).format(n=f"{len(summary.answer):,}")
        turns = ngettext("{n} turn", "{n} turns", len(todo)).format(n=len(todo))
        return _("Compacted {turns} into a summary by {model} ({size}). Later requests send the summary instead; the turns stay here, marked.").format(
            turns=turns, model=model, size=size + spent)

    def should_auto_compact(self, turn: Turn) -> bool:
        """Whether the profile's auto_compact threshold was crossed by ``turn`` (and there is something to compact)."""
        threshold = getattr(self.gateway.profile, "auto_compact", None)
        gauge = self.gauge(turn)
        if not threshold or gauge is None or gauge.share < threshold:
            return False
        try:
            self.compact_plan()
        except Refused:
            return False
        return True

    def larger_context_models(self, model: str) -> list[str]:
        """Models the catalogue knows with a longer context than ``model``'s, cheapest first."""
        info = self.model_info(model)
        if self.catalogue is None or info is None or not info.context_length:
            return []
        from chatui.catalogue import price_rank

        bigger = [m for m in self.catalogue.models.values() if m.context_length and m.context_length > info.context_length and m.prices and m.prices.known]
        bigger.sort(key=lambda m: (price_rank(m), m.id))
        return [m.id for m in bigger]

    def price(self, turn: Turn) -> bool:
        """Work out an ended turn's cost (now, or once the catalogue arrives); whether it has one now."""
        from chatui.cost import turn_cost

        if turn.cost is not None or turn.status is Status.STREAMING:
            return turn.cost is not None
        if self.catalogue is None:
            if turn.usage is not None:
                self._unpriced.append(turn)
                try:
                    self.load_catalogue()
                except RuntimeError:  # no running loop (a synchronous caller)
                    pass
            return False
        turn.cost = turn_cost(turn.usage, self.catalogue.get(turn.model) or self.catalogue.get(turn.served_model or ""), self.catalogue.source)
        return turn.cost is not None

    def image_files(self, turn: Turn) -> dict[int, Path]:
        """Where ``turn``'s generated images are saved, by item position (none when transcripts are off)."""
        if self.store is None:
            return {}
        from chatui import images

        return images.files_for(turn.items, self.store.root / "images", self.conversation.id, turn.id)

    def _save_images(self, turn: Turn) -> None:
        if self.store is None or not any(i.get("type") == "image_generation_call" for i in turn.items if isinstance(i, dict)):
            return
        from chatui import images

        try:
            images.save(turn.items, self.store.root / "images", self.conversation.id, turn.id)
        except OSError as exc:
            self.on_notice(Notice(_("Could not save the generated image ({why}); it stays in the transcript.").format(why=exc.strerror or exc), _("Image"), "warning"))

    def set_compare(self, arg: str) -> str:
        """/compare MODEL MODEL [...]: send each prompt to all of them; 'off' ends it; alone: say which."""
        words = strip_controls(arg).split()
        if not words:
            if self.compare_models:
                return _("Comparing {models}: each prompt goes to all of them. /compare off ends it.").format(models=", ".join(self.compare_models))
            return _("Not comparing: /compare MODEL MODEL [MODEL MODEL] sends each prompt to 2 to 4 models at once.")
        if words == ["off"]:
            was, self.compare_models = self.compare_models, []
            return _("Compare off: prompts go to {model} again.").format(model=self.settings.model) if was else _("Compare was not on.")
        if not 2 <= len(words) <= 4:
            raise Refused(_("Compare takes 2 to 4 models: /compare MODEL MODEL [MODEL MODEL]"), title="/compare")
        self.compare_models = words
        return _("Comparing {models}: the next prompts go to all of them at once. Then click “continue here” under the answer to go on with "
                 "(or focus one and press its number); /compare off ends it.").format(models=", ".join(words))

    def begin_compare(self, text: str, models: list[str]) -> list[Turn]:
        """Start one turn per model for ``text``, each with the same history (siblings: branches).

        The first model's answer is the one the conversation continues from.
        """
        self.check_can_send()
        if not 2 <= len(models) <= 4:
            raise Refused(_("Compare takes 2 to 4 models."), title="/compare")

        conv, self.fork_at = self.conversation, None
        base = list(conv.turns)
        turns = []
        for model in models:
            conv.turns = list(base)  # each answer continues the same history
            turns.append(conv.start_turn(text, model=model, attachments=self.pending))
        self.pending = []
        first = turns[0]
        conv.switch(first)
        self.streaming = first
        self.autosave()
        return turns

    @contextlib.asynccontextmanager
    async def streaming_all(self, turns: list[Turn]) -> AsyncIterator[list[AsyncIterator[Update]]]:
        """Stream every turn at once; yields one iterator of updates per turn (read in any order).

        A failure in one never disturbs the others; leaving the block stops what still streams.
        """
        from chatui.chat import stream_turn

        queues: list[asyncio.Queue[Update | None]] = [asyncio.Queue() for _ in turns]

        async def pump(turn: Turn, queue: asyncio.Queue[Update | None]) -> None:
            try:
                async with contextlib.aclosing(stream_turn(self.client, self.conversation, turn)) as updates:
                    async for channel, text in updates:
                        queue.put_nowait(BY_CHANNEL[channel](text))
            finally:
                queue.put_nowait(None)
                self.price(turn)
                self.autosave()  # each answer is on disk as soon as it ends, whatever the others do

        async def read(queue: asyncio.Queue[Update | None]) -> AsyncIterator[Update]:
            while (update := await queue.get()) is not None:
                yield update

        tasks = [asyncio.create_task(pump(t, q)) for t, q in zip(turns, queues)]
        self._pumps = {t.id: task for t, task in zip(turns, tasks)}
        self.streaming = turns[0]
        self._task = asyncio.current_task()  # stop() cancels the reader, which stops them all
        try:
            yield [read(q) for q in queues]
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.streaming = None
            self._task = None
            self._pumps = {}
            self.autosave()
            for turn in turns:
                self._save_images(turn)

    def stop_one(self, turn: Turn) -> bool:
        """Stop one answer of a comparison (what arrived is kept); the others go on."""
        task = self._pumps.get(turn.id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def stop(self) -> bool:
        """Stop the streaming turn (what arrived is kept) or a compaction; False when nothing streams."""
        if (self.streaming is None and not self.compacting) or self._task is None:
            return False
        self._stop_compacting = self.compacting
        self._task.cancel()
        return True

    def retry(self, model: str = "", turn: Turn | None = None) -> Turn:
        """/retry [MODEL]: answer ``turn``'s prompt again (default: the last), to MODEL or the current model.

        The old answer stays as a branch (‹1/2›).
        """
        if self.streaming is not None:
            raise Refused(_("Wait for the answer to finish or stop it first (escape)."))
        if not self.conversation.turns:
            raise Refused(_("Nothing to retry yet."), severity="information")
        model = strip_controls(model).strip()
        if any(c.isspace() for c in model):
            raise Refused(_("Usage: /retry  or  /retry MODEL"), title="/retry")
        self.check_can_send()
        self.fork_at = turn if turn in self.conversation.turns else self.conversation.turns[-1]
        self.pending = list(self.fork_at.attachments)  # the same files go again
        return self.begin(self.fork_at.user_text, model=model or None)

    def number_of(self, turn: Turn) -> int:
        """The message number /edit N takes for ``turn`` on the active branch."""
        return self.conversation.turns.index(turn) + 1

    def edit(self, arg: str) -> tuple[str, str]:
        """/edit [N]: message N's text (default: the last) and a note; sending it starts a branch there."""
        turns = self.conversation.turns
        if not turns:
            raise Refused(_("No earlier prompt to edit."), severity="information")
        number = arg.strip() or str(len(turns))
        if not number.isdigit() or not 1 <= int(number) <= len(turns):
            raise Refused(_("/edit N takes a message number from 1 to {last}.").format(last=len(turns)), title="/edit")
        self.fork_at = turns[int(number) - 1]
        self.pending = list(self.fork_at.attachments)  # the edited message keeps its files (/detach removes them)
        later = len(turns) - int(number)
        if later:
            keeps = ngettext("the current branch (with {n} later message) stays", "the current branch (with {n} later messages) stays", later).format(n=later)
        else:
            keeps = _("the current answer stays")
        return self.fork_at.user_text, _("Editing message {number}: sending starts a new branch there; {keeps}. ← → on an answer switch branches.").format(
            number=number, keeps=keeps)

    def branch(self, turn: Turn) -> tuple[int, int]:
        """Which of its siblings ``turn`` is, and how many there are: (2, 3) reads ‹2/3›."""
        siblings = self.conversation.siblings(turn)
        return (siblings.index(turn) + 1 if turn in siblings else 1), max(1, len(siblings))

    def side_by_side(self, turn_id: str) -> list[Turn]:
        """Show ``turn_id``'s branch and return the answers beside it (2 to 4, it among them) to lay out as columns."""
        turn = self.switch_to(turn_id)
        siblings = self.conversation.siblings(turn)
        if len(siblings) < 2:
            raise Refused(_("This answer has no other answers to set beside it: /retry or /compare makes some."), severity="information")
        at = siblings.index(turn)
        start = min(max(0, at - 3), len(siblings) - 4) if len(siblings) > 4 else 0
        return siblings[start:start + 4]

    def switch_to(self, turn_id: str) -> Turn:
        """Show the branch through the turn ``turn_id`` (from /tree); that turn."""
        self._not_streaming()
        turn = next((t for t in self.conversation.all_turns if t.id == turn_id), None)
        if turn is None:
            raise Refused(_("That message is no longer in this conversation."), severity="information")
        self.conversation.switch(turn)
        self.fork_at = None
        self.autosave()
        return turn

    def switch_branch(self, turn: Turn, step: int) -> Turn:
        """Show the sibling ``step`` away from ``turn`` (and its latest continuation); the turn now shown there."""
        self._not_streaming()
        siblings = self.conversation.siblings(turn)
        if len(siblings) < 2:
            raise Refused(_("This answer has no other branch (/retry or /edit make one)."), severity="information")
        target = siblings[(siblings.index(turn) + step) % len(siblings)]
        self.conversation.switch(target)
        self.fork_at = None
        self.autosave()
        return target

    # -- settings ------------------------------------------------------------------
    def set_model(self, model: str) -> str | None:
        """Send the next turn to ``model``; returns the note to show (None: no change)."""
        model = strip_controls(model).strip()
        if not model or any(c.isspace() for c in model):
            raise Refused(_("A model id has no spaces, e.g. /model gpt-5-mini"))
        if model == self.settings.model:
            return None
        self.settings.model = model
        self.autosave()
        return _("Model → {model} (from the next turn; earlier turns are sent as plain text).").format(model=model)

    def set_param(self, arg: str) -> str:
        """/set NAME VALUE: set (or with 'off' clear) one request parameter; alone: list them all."""
        name, _sep, value = arg.strip().partition(" ")
        if not name:
            width = max(len(n) for n, _v in self.settings.describe())
            rows = "\n".join(f"  {n:<{width}}  {v}" for n, v in self.settings.describe())
            return _("Settings for the next turn (model {model}):\n{rows}\n/set NAME VALUE changes one; VALUE 'off' clears it.").format(
                model=self.settings.model, rows=rows)
        if not value.strip():
            raise Refused(_("Usage: /set {name} VALUE  (VALUE 'off' clears it)").format(name=name or "NAME"), title="/set")
        try:
            message = self.settings.set(name, value)
        except ValueError as exc:
            raise Refused(str(exc), title="/set") from None
        self.autosave()
        return _("Set {what}.").format(what=message)

    def set_search(self, arg: str) -> str:
        """/search on|off: the hosted web-search tool in the next requests; alone: whether it is on."""
        if not arg.strip():
            return tools_note(self.settings.values)
        return self.set_param(f"web_search {arg}")

    def tools_note(self) -> str:
        """/tools: what the next request carries."""
        return tools_note(self.settings.values)

    def set_language(self, arg: str) -> str:
        """/lang [CODE]: switch the interface language for this run; the note says how to keep it."""
        from chatui import i18n
        from chatui.paths import config_file

        word = strip_controls(arg).strip()
        if not word:
            code = i18n.current()
            return _("Language: {name} ({code}). Available: {codes}. /lang CODE switches.").format(
                name=i18n.LANGUAGES[code], code=code, codes=", ".join(i18n.LANGUAGES))
        code = i18n.normalise(word)
        if code is None:
            i18n.use(i18n.SOURCE)
            return i18n.unknown_note(word)
        i18n.use(code)
        return _('Language: {name}. To keep it, add language = "{code}" under [ui] in {path}.').format(
            name=i18n.LANGUAGES[code], code=code, path=config_file())

    def set_instructions(self, text: str) -> str:

        """/system TEXT sets the instructions, /system off clears them, /system alone shows them."""
        current = self.settings.instructions
        if not text.strip():
            if current:
                return _("Instructions: {text}\n(/system TEXT replaces them; /system off clears them.)").format(text=current)
            return _("No instructions are set. /system TEXT sets them.")
        if text.strip().lower() in ("off", "clear", "none"):
            self.settings.instructions = None
            self.autosave()
            return _("Instructions cleared.") if current else _("No instructions were set.")
        self.settings.instructions = text
        self.autosave()
        return _("Instructions set: {text}").format(text=text)

    # -- conversations -------------------------------------------------------------
    def _not_streaming(self) -> None:
        if self.streaming is not None:
            raise Refused(_("Stop the streaming answer first (escape)."))

    def new(self) -> str:
        """Start a new conversation with the same settings; returns what carried over."""
        self._not_streaming()
        settings = self.settings.copy()
        self.conversation = Conversation(settings, self.gateway.base_url)
        self.fork_at = None
        kept = [f"{name} {value}" for name, value in settings.describe() if settings.values.get(name) is not None]
        if settings.instructions:
            kept.insert(0, _("the instructions (/system shows them)"))
        if kept:
            return _("New conversation with {model}; carried over: {kept}.").format(model=settings.model, kept=", ".join(kept))
        return _("New conversation with {model}.").format(model=settings.model)

    def open(self, conversation: Conversation) -> Conversation:
        """Continue a saved conversation, on this session's gateway."""
        self._not_streaming()
        conversation.gateway = self.gateway.base_url
        self.conversation = conversation
        self.fork_at = None
        return conversation

    def forget_if_deleted(self) -> str | None:
        """After browsing history: if the open conversation's file was deleted, start a new one; if it was renamed, take the name.

        (Otherwise the next autosave would bring the deleted conversation back, or fork the renamed one.)
        """
        conv = self.conversation
        if self._saves is not None:
            self._saves.wait()
        if self.store is None or self.streaming is not None or not conv.turns:
            return None
        path = self.store.path_for(conv.id)
        if path.exists():
            self._adopt_rename(path)
            return None
        self.new()
        return _("The open conversation was deleted; this is a new one.")

    def _adopt_rename(self, path: Path) -> None:
        """The open conversation's file was saved since with the same turns (a rename in history): take its title and revision."""
        from chatui.transcripts import TranscriptError

        conv = self.conversation
        disk = self.store.revision_of(path)
        if disk is None or disk <= conv.revision:
            return
        try:
            saved = self.store.load(path)
        except TranscriptError:
            return
        if [t.id for t in saved.all_turns] == [t.id for t in conv.all_turns]:  # not another window's new turns
            conv.title, conv.revision = saved.title, disk

    def history_store(self) -> Any:
        """The transcript store, for browsing (queued saves written first); Refused when transcripts are off."""
        if self.store is None:
            raise Refused(_("Transcripts are off for this session."), severity="information")
        if self._saves is not None:
            self._saves.wait()  # the list, a rename or a delete sees every save made so far
        return self.store

    def save(self) -> Path:
        """Save now; Refused when transcripts are off or the write failed (nothing is lost)."""
        store = self.history_store()
        try:
            return store.save(self.conversation)
        except OSError as exc:
            raise _save_failed(exc.strerror or exc) from None

    def save_in_background(self) -> None:
        """From now on autosaves are written on a thread (the TUI: a big transcript must not stall the screen).

        Call from the event loop that should hear how each save went.
        """
        from chatui.transcripts import BackgroundSaves

        if self._saves is None:
            self._saves = BackgroundSaves()  # for whichever store the session has (setup may switch it)
            self._loop = asyncio.get_running_loop()

    async def saves_done(self) -> None:
        """Wait until every save queued so far is written (and its outcome applied)."""
        if self._saves is not None:
            await asyncio.wrap_future(self._saves.idle())
            await asyncio.sleep(0)  # the outcomes were queued to this loop before the wait ended

    def autosave(self) -> None:
        """Save after each change; a failure becomes a notice, never an exception."""
        if self.store is None:
            return
        if self._saves is not None:
            conv = self.conversation
            future = self._saves.submit(self.store, self.store.snapshot(conv))
            loop = self._loop
            future.add_done_callback(lambda done: loop.call_soon_threadsafe(self._saved, conv, done))
            return
        try:
            self.save()
        except Refused as refused:
            self.on_notice(Notice(refused.message, refused.title, refused.severity))

    def _saved(self, conv: Conversation, done: Any) -> None:
        """A background save ended (on the loop): adopt a fork's id, or tell why it failed."""
        try:
            saved = done.result()
        except Exception as exc:  # noqa: BLE001 - a save must never take the app down; say so instead
            refused = _save_failed((exc.strerror or exc) if isinstance(exc, OSError) else type(exc).__name__)
            self.on_notice(Notice(refused.message, refused.title, refused.severity))
        else:
            if saved is not None:
                saved.apply(conv)

    def export(self, arg: str, cwd: Path | None = None) -> Path:
        """/export [md|json] [PATH]: write the conversation; returns where."""
        from chatui import export

        embed = " --embed" in f" {arg} "
        parts = " ".join(w for w in arg.split() if w != "--embed").split(maxsplit=1)
        fmt = parts[0].lower() if parts else "md"
        if fmt not in ("md", "json", "markdown"):
            raise Refused(_("Usage: /export [md|json [--embed]] [PATH]"), title="/export")
        fmt = "md" if fmt == "markdown" else fmt
        conv = self.conversation
        # the id came from a file: never a path of its own (../, separators, controls)
        path = Path(parts[1]).expanduser() if len(parts) > 1 else (cwd or Path.cwd()) / f"chatui-{file_safe(conv.id)}.{fmt}"

        text = export.to_markdown(conv) if fmt == "md" else json.dumps(export.to_json(conv, embed=embed), ensure_ascii=False, indent=2)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise Refused(_("Could not write {path}: {why}").format(path=path, why=exc.strerror or exc), title="/export") from None
        return path

    def copy_text(self, arg: str, turn: Turn | None = None) -> str:
        """/copy [code [N] | reasoning | prompt]: the text to copy from ``turn`` (default: the last answer).

        ``code`` alone is the last code block; N counts as the screen numbers them.
        """
        parts = arg.split()
        what = parts[0] if parts else "answer"
        if what not in ("answer", "code", "reasoning", "prompt") or len(parts) > 2 or (len(parts) == 2 and what != "code"):
            raise Refused(_("Usage: /copy  or  /copy code [N]  or  /copy reasoning  or  /copy prompt"), title="/copy")
        if turn is None:
            answered = [t for t in self.conversation.turns if t.answer or t.reasoning]
            if not answered:
                raise Refused(_("No answer to copy yet."), severity="information")
            turn = answered[-1]
        last = turn is self.conversation.turns[-1]
        if what == "prompt":
            text = turn.user_text
        elif what == "reasoning":
            text = turn.reasoning
            if not text:
                raise Refused(_("The last answer has no reasoning text.") if last else _("This answer has no reasoning text."), title="/copy")
        else:
            text = turn.answer
            if not text:
                raise Refused(_("The last answer has no text yet.") if last else _("This answer has no text yet."), title="/copy")
        if what == "code":
            blocks = code_blocks(text)
            if not blocks:
                raise Refused(_("The last answer has no code block.") if last else _("This answer has no code block."), title="/copy")
            number = parts[1] if len(parts) > 1 else str(len(blocks))
            if not number.isdigit() or not 1 <= int(number) <= len(blocks):
                count = len(blocks)
                raise Refused(ngettext("This answer has {n} code block: /copy code 1 to {n}.", "This answer has {n} code blocks: /copy code 1 to {n}.", count).format(n=count),
                              title="/copy")
            text = blocks[int(number) - 1]
        return strip_controls(text)

    # -- the gateway ---------------------------------------------------------------
    async def list_models(self) -> list[str]:
        """The gateway's models (cached); raises ChatError when it cannot list them."""
        if self.models_cache is None:
            self.models_cache = await self.client.list_models()
        return self.models_cache

    async def models_note(self) -> str:
        """/models: the list as one line; Refused when the gateway cannot list them."""
        from chatui.errors import ChatError

        try:
            models = await self.list_models()
        except ChatError as exc:
            raise Refused(exc.message, title=_("Cannot list models")) from None
        except Exception as exc:  # noqa: BLE001 - a network worker never lets an exception (and its frames) escape
            raise Refused(_("The gateway's model list could not be read ({kind}).").format(kind=type(exc).__name__), title=_("Cannot list models")) from None
        return _("Models: {models}").format(models=", ".join(models)) if models else _("The gateway listed no models.")

    async def models_for_picker(self) -> tuple[list[str], str, str]:
        """The picker's list, the current model, and a note when the list could not be had."""

        current = self.settings.model
        try:
            if not self.gateway.needs_key:
                return await self.list_models(), current, ""
        except Exception:  # noqa: BLE001 - any failure: the catalogue, or a typed id, instead
            pass

        catalogue = await self.catalogue_now()
        if catalogue.models:  # the gateway's public catalogue still says what exists
            return sorted(catalogue.models), current, _("Could not list this key's models: showing the gateway's catalogue.")
        return [current], current, _("Could not list models: type any model id and press enter.")

    def configure(self, gateway: Gateway, model: str) -> None:
        """Point the session at another gateway (after first-run setup)."""
        if self._client is not None:
            self._old_clients.append(self._client)
        self._client = None  # made again, for the new gateway, on first use
        self.gateway = gateway
        self.models_cache = None
        self.catalogue, self._catalogue_task, self._unpriced = None, None, []
        self.conversation.gateway = gateway.base_url
        self.settings.model = model

    async def aclose(self) -> None:
        """Finish the queued saves; close every connection pool this session opened."""
        if self._saves is not None:
            saves, self._saves = self._saves, None
            await asyncio.to_thread(saves.close)
        if self._catalogue_task is not None and not self._catalogue_task.done():
            self._catalogue_task.cancel()
        if self._temp_blobs is not None:
            self._temp_blobs.remove_temporary()
        clients, self._old_clients = [*self._old_clients, self._client], []
        self._client = None
        for client in clients:
            if client is not None:
                await client.aclose()
        if self._demo_server is not None:
            self._demo_server.stop()
            self._demo_server = None

    # -- first-run setup -----------------------------------------------------------
    def use_demo(self) -> None:
        """Switch to the built-in scripted server (the demo), with the demo's own history."""
        from chatui.defaults import DEMO_MODEL
        from chatui.demo import ScriptedServer
        from chatui.paths import conversations_dir
        from chatui.transcripts import TranscriptStore

        self._demo_server = ScriptedServer(pace=1.0).start()
        if self.store is not None:
            self.store = TranscriptStore(conversations_dir(demo=True))  # demo chats never mix with real ones
        self.configure(Gateway(self._demo_server.base_url, "demo", demo=True), DEMO_MODEL)

    def use_profile(self, profile: Any, base_url: str, key: str | None, save_key: bool) -> None:
        """Switch to ``profile`` with ``key`` (stored 0600 when ``save_key``)."""
        from chatui import config

        if save_key and key:
            try:
                path = config.write_key_file(profile.key_path(), key)
                self.on_notice(Notice(_("Key saved to {path} (mode 0600).").format(path=path)))
            except OSError as exc:
                self.on_notice(Notice(_("Could not save the key ({why}); it is kept for this session.").format(why=exc.strerror or exc), severity="warning"))

        old = self.gateway.profile
        same = old is not None and old.name == profile.name
        # keep the model chosen on the command line when the profile did not change
        self.configure(Gateway(base_url, key, profile), self.settings.model if same else profile.model)


def make_session(
    *,
    base_url: str,
    api_key: str | None = None,
    model: str | None = None,
    demo: bool = False,
    profile: Any = None,
    settings: Settings | None = None,
    conversation: Conversation | None = None,
    store: Any = None,
) -> Session:
    """A session for a gateway: the one way the CLI, the TUI, tests and benchmarks build one."""
    settings = settings or Settings(model or DEFAULT_MODEL)
    if model:
        settings.model = model
    return Session(Gateway(base_url, api_key, profile, demo), settings, conversation=conversation, store=store)
