"""The chat app: a thin shell over the session — layout, keys and painting, no rules."""

from __future__ import annotations

import shlex
from typing import Callable, Iterable

from textual import getters, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker

from chatui import commands as cmds
from chatui.config import UIPrefs
from chatui.conversation import Conversation, Turn
from chatui.i18n import N_, _, ngettext
from chatui.session import DEMO_NOTE, NO_KEY_NOTE, Notice, Refused, Session
from chatui.text import strip_controls
from chatui.ui.branches import BranchCommands
from chatui.ui.copying import CopyCommands
from chatui.ui.messages import (
    PathsPasted,
    PromptSubmitted,
    ReasoningStreamed,
    ScrollRequested,
    TurnFinished,
    TurnProgressed,
    TurnSelected,
    TurnStarted,
    ViewResized,
)
from chatui.ui.widgets.chips import Chips, DetachRequested
from chatui.ui.widgets.conversation import ConversationView
from chatui.ui.widgets.footer import LocalFooter
from chatui.ui.widgets.markdown_view import prewarm
from chatui.ui.widgets.panes import SidePanes
from chatui.ui.widgets.prompt import PromptArea
from chatui.ui.widgets.status import TurnStatus
from chatui.ui.widgets.topbar import TopBar, meter

NARROW = 100  # below this many columns the side panes start hidden
PROMPT_TITLE = N_("Message · enter send · ctrl+j newline")
# Textual's own palette entries and footer words, in our catalogues so they are translated too.
_TEXTUAL_WORDS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Show help for the focused widget and a summary of available keys"), N_("Hide the keys and widget help panel"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"), N_("palette"), N_("Open the command palette"),
)


class ChatApp(CopyCommands, BranchCommands, App[None]):
    """chatui's main application: every command goes through the session."""

    CSS_PATH = "app.tcss"
    TITLE = "chatui"
    # keys, footer and help all come from the one command table
    BINDINGS = [Binding(c.key, f"command('{c.name}')", c.footer or c.help, show=bool(c.footer)) for c in cmds.COMMANDS if c.key]

    show_reasoning = var(True, init=False, always_update=True)
    show_usage = var(True, init=False, always_update=True)

    view = getters.query_one(ConversationView)
    prompt = getters.query_one(PromptArea)
    side = getters.query_one(SidePanes)
    status = getters.query_one(TurnStatus)
    topbar = getters.query_one(TopBar)

    def __init__(self, session: Session, prefs: UIPrefs | None = None, *, needs_setup: bool = False, notes: list[str] | None = None) -> None:
        super().__init__()
        self.session = session
        self.startup_notes = list(notes or ())  # said once the screen is up: an unknown language, a key file others can read

        session.on_notice = self._notice
        self.prefs = prefs or UIPrefs()
        self.needs_setup = needs_setup
        self.turn_worker: Worker | None = None
        self._narrow: bool | None = None
        self._context_warned: set[tuple[str, str]] = set()  # (conversation, model) pairs already warned
        self._warned_send: tuple[str, str] | None = None  # a warned message: enter again sends it anyway
        self._theme_ready = False  # the start-up theme is not a choice to remember

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Header, conversation with side panes, prompt, footer."""
        yield TopBar(id="topbar")
        with Horizontal(id="main"):
            yield ConversationView(id="conversation")
            yield SidePanes(id="side")
        yield TurnStatus(id="turn-status")
        yield Chips(id="chips")
        yield PromptArea(id="prompt")
        yield LocalFooter()

    def on_mount(self) -> None:
        """Apply preferences, show the conversation, focus the prompt."""
        self.prompt.border_title = _(PROMPT_TITLE)
        prefs = self.prefs
        self.view.images_for = self.session.image_files
        self.view.branch_of = lambda turn: self.session.branch(turn)
        self.side.gauge_for = self.session.gauge
        self.session.on_priced = self._priced
        self.session.save_in_background()  # writing a big transcript must not hold up the screen
        self._width_rule()
        if theme := prefs.effective_theme:
            if theme in self.available_themes:
                self.theme = theme
            elif prefs.theme:
                self.notify(_("Unknown theme '{theme}' in the config file.").format(theme=prefs.theme), severity="warning", markup=False)
        self._theme_ready = True
        self._show_conversation()
        if not self.session.conversation.turns and self.session.gateway.demo:
            self.view.add_note(_(DEMO_NOTE), "note demo")
        if self.session.gateway.needs_key:
            self.view.add_note(_(NO_KEY_NOTE), "note warning no-key")
        for note in self.startup_notes:
            self.view.add_note(note, "note warning")


        # after the first frame, import the network and rendering stack in the background
        self.call_after_refresh(self.run_worker, self._prewarm, thread=True, exit_on_error=False, group="prewarm")
        if self.needs_setup:
            self.open_setup()

    def _prewarm(self) -> None:
        """In a thread after the first frame: import the network and rendering stack, then fetch the catalogue."""
        prewarm()
        self.session.client  # noqa: B018 - the HTTP client and its TLS context (~0.1 s) made here, not on the first send
        self.call_from_thread(self._load_catalogue)

    @work(group="catalogue", exit_on_error=False)
    async def _load_catalogue(self) -> None:
        """Prices and context lengths, for the usage pane, the header and the picker (no error when there are none)."""
        await self.session.catalogue_now()
        self._priced()

    @work(group="compact", exclusive=True, exit_on_error=False)
    async def cmd_compact(self, arg: str) -> None:
        """Summarise the earlier turns into one item that later requests send instead (/compact [MODEL])."""
        try:
            todo, model = self.session.compact_plan(arg)
            turns = ngettext("{n} turn", "{n} turns", len(todo)).format(n=len(todo))
            self.view.add_note(_("Compacting {turns} with {model}… (escape stops)").format(turns=turns, model=model), "note compacting")
            note = await self.session.compact(arg)
        except Refused as refused:
            self._notice(refused)
            return
        finally:
            self.view.query(".compacting").remove()
        self._show_conversation()  # the summarised turns, marked
        self._note(note)

    @work(group="attach", exit_on_error=False)
    async def cmd_attach(self, arg: str) -> None:
        """Attach files to the next message (read and encoded in a thread: a big image never freezes the screen)."""
        import asyncio

        try:
            paths = shlex.split(arg)
        except ValueError:  # an unbalanced quote: the whole argument is one path
            paths = [arg.strip()]
        try:
            note = await asyncio.to_thread(self.session.attach, paths)
            self.notify(note, title="Attached", markup=False)
        except Refused as refused:
            self._notice(refused)
        self.refresh_chips()

    def cmd_detach(self, arg: str) -> None:
        """Remove an attachment from the next message."""
        try:
            self.notify(self.session.detach(arg), markup=False)
        finally:
            self.refresh_chips()

    @on(PathsPasted)
    def _paths_pasted(self, event: PathsPasted) -> None:
        from chatui.ui.screens.attach_offer import AttachOffer

        def chosen(attach: bool | None) -> None:
            if attach:
                self.cmd_attach(" ".join(shlex.quote(str(p)) for p in event.paths))
            else:
                self.prompt.insert(event.text)
            self.prompt.focus()

        self.push_screen(AttachOffer(event.paths), chosen)

    @on(DetachRequested)
    def _detach_chip(self, event: DetachRequested) -> None:
        self._try(self.cmd_detach, str(event.number))
        self.prompt.focus()

    def refresh_chips(self) -> None:
        """Show what goes with the next message."""
        self.query_one(Chips).show([a.describe() for a in self.session.pending])

    def _warn_context(self, turn: Turn) -> None:
        """Say once per conversation and model when the context window is 80% full, and what to do."""
        gauge = self.session.gauge(turn)
        key = (self.session.conversation.id, turn.model)
        if gauge is None or not gauge.warn or key in self._context_warned:
            return
        self._context_warned.add(key)
        self.notify(self.session.context_advice(turn, gauge), title=_("Context nearly full"), severity="warning", markup=False, timeout=10)

    def _priced(self) -> None:
        """The catalogue arrived (or late costs were filled in): repaint what shows cost and context."""
        self.side.refresh_usage(self.session.conversation)
        for answer in self.view.assistant.values():
            answer.refresh_status()
        self.refresh_header()

    @on(ViewResized)
    def _width_rule(self) -> None:
        """Side panes follow the terminal's width, at start and whenever it crosses NARROW."""
        narrow = self.size.width < NARROW
        if narrow != self._narrow:
            self._narrow, prefs = narrow, self.prefs
            self.set_class(narrow, "-narrow")  # compare columns stack
            self.query_one(LocalFooter).compact = narrow  # every key's label fits on 80 columns, in every language

            self.show_reasoning = (not narrow) if prefs.show_reasoning is None else prefs.show_reasoning
            self.show_usage = (not narrow) if prefs.show_usage is None else prefs.show_usage
        self.view.fit_compare()

    def watch_theme(self, theme: str) -> None:
        """A theme picked in the palette is remembered for the next run."""
        if self._theme_ready and (note := self.prefs.remember_theme(theme)):
            self.notify(note, markup=False)

    def watch_show_reasoning(self) -> None:
        self.side.shown(self.show_reasoning, self.show_usage)

    watch_show_usage = watch_show_reasoning

    def refresh_header(self) -> None:
        """Show the current model, gateway and title."""
        bar, gateway = self.topbar, self.session.gateway
        bar.model, bar.gateway, bar.demo = self.session.settings.model, gateway.base_url, gateway.demo
        bar.has_key, bar.conversation_title = not gateway.needs_key, self.session.conversation.title or ""
        bar.meter = meter(self.session.gauge(), self.session.conversation.cost_total())
        self.refresh_chips()

    def _show_conversation(self) -> None:
        """Show the session's conversation from scratch (start, /new, history)."""
        turns = self.session.conversation.turns
        self.view.load(turns)
        self.prompt.sent = [t.user_text for t in turns]
        self.side.show_turn(turns[-1] if turns else None, self.session.conversation)
        self.refresh_header()
        self.prompt.focus()
        if missing := self.session.conversation.missing_attachments():
            said = ngettext("{n} attached file of this conversation is gone from the blob store ({names}); requests say so to the model instead of sending it.",
                            "{n} attached files of this conversation are gone from the blob store ({names}); requests say so to the model instead of sending them.",
                            len(missing)).format(n=len(missing), names="; ".join(missing[:3]))
            self.notify(said, title=_("Attachments missing"), severity="warning", markup=False)

    def notify(self, message: str, *, title: str = "", markup: bool = False, **kwargs) -> None:  # type: ignore[override]
        """Every toast, from any screen: its words are made safe here and never read as markup."""
        super().notify(strip_controls(str(message)), title=strip_controls(str(title)), markup=False, **kwargs)

    def _notice(self, notice: Notice | Refused) -> None:

        self.notify(notice.message, title=notice.title, severity=notice.severity, markup=False)  # type: ignore[arg-type]

    def open_setup(self) -> None:
        """The first-run screen: key, gateway, or demo."""
        from chatui.ui.screens.setup import SetupScreen

        self.push_screen(SetupScreen(self.session), self._setup_done)

    def _setup_done(self, applied: bool | None) -> None:
        if applied:
            self.query(".no-key").remove()
            if self.session.gateway.demo:
                self.view.add_note(_(DEMO_NOTE), "note demo")
            self.refresh_header()
            self.prompt.focus()

    # -- turns -----------------------------------------------------------------------
    @on(PromptSubmitted)
    def _submitted(self, event: PromptSubmitted) -> None:
        command, text = cmds.route(event.text)
        if command:
            self.run_command(text)
            return
        warning = self.session.attachment_warning(self.session.compare_models or None)
        if warning and self._warned_send != (text, warning):
            self._warned_send = (text, warning)  # enter again sends anyway
            self.prompt.set_text(text)
            self.notify(warning + " " + _("Press enter again to send anyway, or /detach."), title=_("Attachments"), severity="warning", markup=False, timeout=10)
            return
        self._warned_send = None
        try:
            if self.session.compare_models:
                self._compare(self.session.begin_compare(text, self.session.compare_models))
            else:
                self._stream(self.session.begin(text))
        except Refused as refused:
            self.prompt.set_text(text)  # nothing typed is lost
            self._notice(refused)

    def _stream(self, turn: Turn) -> None:
        self.view.show_path(self.session.conversation.turns[:-1])
        self.turn_worker = self.view.stream(self.session, turn)
        self.refresh_header()

    @on(TurnStarted)
    @on(ReasoningStreamed)
    @on(TurnProgressed)
    @on(TurnFinished)
    def _turn_message(self, event: TurnStarted | ReasoningStreamed | TurnProgressed | TurnFinished) -> None:
        self.side.observe(event, self.session.conversation)  # errors show on the turn itself, not in a toast too
        self.status.observe(event)
        if isinstance(event, TurnFinished):
            self.refresh_header()  # context and cost
            if self.session.should_auto_compact(event.turn):
                self.cmd_compact("")
            else:
                self._warn_context(event.turn)

    @on(ScrollRequested)
    def _scroll(self, event: ScrollRequested) -> None:
        self.view.scroll_for(event.where)

    @on(TurnSelected)
    def _turn_selected(self, event: TurnSelected) -> None:
        turn = self._turn(event.turn_id)
        if turn is not None and turn is not self.session.streaming:
            self.side.show_turn(turn, self.session.conversation)

    def _turn(self, turn_id: str) -> Turn | None:
        """A turn of any branch by id (compare columns are branches too)."""
        return next((t for t in self.session.conversation.all_turns if t.id == turn_id), None)

    # -- commands: every key, palette entry and /command lands in cmd_<name> -----------
    def action_command(self, name: str) -> None:
        """Run a command from its key binding."""
        self.run_command(f"/{name}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every command, in the command palette too."""
        for textual in super().get_system_commands(screen):
            yield textual._replace(title=_(textual.title), help=_(textual.help))
        for c in cmds.COMMANDS:
            line = f"/{c.name}"
            fill, run = (lambda x=line: self.prompt.set_text(x + " ")), (lambda x=line: self.run_command(x))
            yield SystemCommand(line, c.description, fill if c.fills_prompt else run)

    def action_command_palette(self) -> None:
        """The command palette, its prompt in the language in use."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def run_command(self, line: str) -> None:
        """Run one command; bad input or a refusal gets a message, never an exception."""
        try:
            command, arg = cmds.parse(line)
        except cmds.CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self._try(getattr(self, f"cmd_{command.name}"), arg)

    def _try(self, action: Callable[..., object], *args: object) -> bool:
        """Run a session action; a refusal becomes a message (False)."""
        try:
            action(*args)
            return True
        except Refused as refused:
            self._notice(refused)
            return False

    def _note(self, text: str | None) -> None:
        if text:
            self.view.add_note(text, "note")

    def cmd_stop(self, arg: str) -> None:
        """Stop the streaming answer."""
        self.session.stop()

    def cmd_model(self, arg: str) -> None:
        """Switch the model (no name: the picker)."""
        if arg:
            self._note(self.session.set_model(arg))
            self.refresh_header()
        else:
            self._pick_model()

    @work(group="models", exclusive=True, exit_on_error=False)
    async def _pick_model(self) -> None:
        from chatui.ui.screens.model_picker import ModelPicker

        models, current, note = await self.session.models_for_picker()
        chosen = await self.push_screen_wait(ModelPicker(models, current, note, await self.session.catalogue_now()))
        if chosen:
            self.run_command(f"/model {chosen}")

    @work(group="models", exit_on_error=False)
    async def cmd_models(self, arg: str) -> None:
        """List the gateway's models."""
        try:
            self._note(await self.session.models_note())
        except Refused as refused:
            self._notice(refused)

    def cmd_reasoning(self, arg: str) -> None:
        """Show or hide the reasoning pane."""
        self.show_reasoning = not self.show_reasoning

    def cmd_usage(self, arg: str) -> None:
        """Show or hide the usage pane."""
        self.show_usage = not self.show_usage

    def cmd_new(self, arg: str) -> None:
        """Start a new conversation."""
        note = self.session.new()
        self._show_conversation()
        self._note(note)

    def cmd_history(self, arg: str) -> None:
        """Browse saved conversations."""
        from chatui.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(self.session.history_store()), self.open_conversation)

    def open_conversation(self, conversation: Conversation | None) -> None:
        """Continue a saved conversation (or, if the open one was deleted, a new one)."""
        if conversation is not None and self._try(self.session.open, conversation):
            self._show_conversation()
        elif note := self.session.forget_if_deleted():
            self._show_conversation()
            self._note(note)

    def cmd_system(self, arg: str) -> None:
        """Set or clear the instructions."""
        self._note(self.session.set_instructions(arg))

    def cmd_set(self, arg: str) -> None:
        """Set a request parameter."""
        self._note(self.session.set_param(arg))

    def cmd_search(self, arg: str) -> None:
        """Turn hosted web search on or off."""
        self._note(self.session.set_search(arg))

    def cmd_tools(self, arg: str) -> None:
        """Show the tools the next request carries."""
        self._note(self.session.tools_note())

    def cmd_save(self, arg: str) -> None:
        """Save the conversation now."""
        self.notify(_("Saved to {path}").format(path=self.session.save()), markup=False)

    def cmd_export(self, arg: str) -> None:
        """Export the conversation."""
        self.notify(_("Exported to {path}").format(path=self.session.export(arg)), markup=False)

    def cmd_lang(self, arg: str) -> None:
        """Switch the interface language for this run; the note says how to keep it."""
        note = self.session.set_language(arg)
        self.prompt.border_title = _(PROMPT_TITLE)
        footer = self.query_one(LocalFooter)
        footer.call_later(footer.recompose)  # from the footer itself: its keys bind to its own reactives
        self._show_conversation()  # labels, status words and panes drawn again in the new language
        self.topbar.refresh()

        self._note(note)


    def cmd_earlier(self, arg: str) -> None:
        """Mount more of a long conversation's older turns."""
        self.view.show_earlier()

    def cmd_help(self, arg: str) -> None:
        """Keys and commands."""
        from chatui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def cmd_quit(self, arg: str) -> None:
        """Quit chatui."""
        self.exit()

    async def on_unmount(self) -> None:
        """Finish the queued saves; close the connection pools and any demo server started from setup."""
        await self.session.aclose()
