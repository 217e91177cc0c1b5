"""The chat app: a thin shell over the session — layout, keys and painting, no rules."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any, Iterable

from textual import getters, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker

from chatui import commands as cmds
from chatui.config import UIPrefs
from chatui.conversation import Conversation, Settings, Turn
from chatui.errors import ChatError
from chatui.session import Notice, Refused, Session
from chatui.text import strip_controls
from chatui.turn import Status
from chatui.ui.messages import PromptSubmitted, ReasoningStreamed, TurnFinished, TurnProgressed, TurnSelected, TurnStarted
from chatui.ui.widgets.conversation import ConversationView
from chatui.ui.widgets.panes import ReasoningPane, UsagePane
from chatui.ui.widgets.prompt import PromptArea
from chatui.ui.widgets.topbar import TopBar

NARROW = 100  # below this many columns the side panes start hidden
DEMO_NOTE = (
    "Demo mode: answers come from chatui's built-in scripted server on 127.0.0.1 — nothing leaves this machine. "
    "Ask anything; try 'show me some code', 'a table', or write in 中文."
)
NO_KEY_NOTE = (
    "No API key is set. Set CHATUI_API_KEY (or AIHUBMIX_API_KEY / OPENAI_API_KEY) and restart, "
    "or run `chatui --demo` to try it offline."
)


class ChatApp(App[None]):
    """chatui's main application: every command goes through the session."""

    CSS_PATH = "app.tcss"
    TITLE = "chatui"
    # keys, footer and help all come from the one command table
    BINDINGS = [Binding(c.key, f"command('{c.name}')", c.footer or c.help, show=bool(c.footer)) for c in cmds.COMMANDS if c.key]

    show_reasoning = var(True, init=False, always_update=True)
    show_usage = var(True, init=False, always_update=True)

    view = getters.query_one(ConversationView)
    prompt = getters.query_one(PromptArea)
    reasoning = getters.query_one(ReasoningPane)
    usage = getters.query_one(UsagePane)
    topbar = getters.query_one(TopBar)

    def __init__(self, session: Session, prefs: UIPrefs | None = None, *, needs_setup: bool = False) -> None:
        super().__init__()
        self.session = session
        session.on_notice = self._notice
        self.prefs = prefs or UIPrefs()
        self.needs_setup = needs_setup
        self.turn_worker: Worker | None = None

    @property
    def conversation(self) -> Conversation:
        """The session's conversation."""
        return self.session.conversation

    @property
    def settings(self) -> Settings:
        """The settings the next turn is sent with."""
        return self.session.settings

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Header, conversation with side panes, prompt, footer."""
        yield TopBar(id="topbar")
        with Horizontal(id="main"):
            yield ConversationView(id="conversation")
            with Vertical(id="side"):
                yield ReasoningPane(id="reasoning")
                yield UsagePane(id="usage")
        yield PromptArea(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        """Apply preferences, show the conversation, focus the prompt."""
        self.prompt.border_title = "Message · enter send · ctrl+j newline"
        narrow = self.size.width < NARROW
        prefs = self.prefs
        self.show_reasoning = (not narrow) if prefs.show_reasoning is None else prefs.show_reasoning
        self.show_usage = (not narrow) if prefs.show_usage is None else prefs.show_usage
        if prefs.theme:
            if prefs.theme in self.available_themes:
                self.theme = prefs.theme
            else:
                self.notify(f"Unknown theme '{prefs.theme}' in the config file.", severity="warning", markup=False)
        self._show_conversation()
        if not self.conversation.turns and self.session.gateway.demo:
            self.view.add_note(DEMO_NOTE, "note demo")
        if self.session.gateway.needs_key:
            self.view.add_note(NO_KEY_NOTE, "note warning no-key")
        self.call_after_refresh(self._prewarm)
        if self.needs_setup:
            self.open_setup()

    def _prewarm(self) -> None:
        """After the first frame: import the network and rendering stack in the background."""

        def warm() -> None:
            import chatui.chat  # noqa: F401  (httpx, httpx-sse)
            from chatui.ui.widgets.markdown_view import _lexer

            _lexer("python")  # Pygments' plugin scan happens once, here

        self.run_worker(warm, thread=True, exit_on_error=False, group="prewarm")

    def watch_show_reasoning(self, shown: bool) -> None:
        self.reasoning.display = shown
        self.query_one("#side").display = shown or self.show_usage

    def watch_show_usage(self, shown: bool) -> None:
        self.usage.display = shown
        self.query_one("#side").display = shown or self.show_reasoning

    def refresh_header(self) -> None:
        """Show the current model, gateway and title."""
        bar, gateway = self.topbar, self.session.gateway
        bar.model, bar.gateway, bar.demo = self.settings.model, gateway.base_url, gateway.demo
        bar.has_key, bar.conversation_title = not gateway.needs_key, self.conversation.title or ""

    def _show_conversation(self) -> None:
        """Show the session's conversation from scratch (start, /new, history)."""
        turns = self.conversation.turns
        self.view.load(turns)
        self.prompt.sent = [t.user_text for t in turns]
        last = turns[-1] if turns else None
        self.reasoning.show_turn(last)
        self.usage.show(last, self.conversation.usage_total())
        self.refresh_header()
        self.prompt.focus()

    def _notice(self, notice: Notice | Refused) -> None:
        self.notify(notice.message, title=notice.title, severity=notice.severity, markup=False)  # type: ignore[arg-type]

    # -- first run -------------------------------------------------------------------
    def open_setup(self) -> None:
        """The first-run screen: key, gateway, or demo."""
        from chatui import config
        from chatui.ui.screens.setup import SetupScreen

        try:
            profiles = config.load().profiles
        except config.ConfigError:
            profiles = dict(config.BUILTIN_PROFILES)
        profile = self.session.gateway.profile
        self.push_screen(SetupScreen(profiles, profile.name if profile else config.DEFAULT_PROFILE), self._setup_done)

    def _setup_done(self, result: Any) -> None:
        if result is None:
            return
        if result.demo:
            self.session.use_demo()
            self.view.add_note(DEMO_NOTE, "note demo")
        else:
            self.session.use_profile(result.profile, result.base_url, result.key, result.save)
        for note in self.query(".no-key"):
            note.remove()
        self.refresh_header()
        self.prompt.focus()

    # -- turns -----------------------------------------------------------------------
    @on(PromptSubmitted)
    def _submitted(self, event: PromptSubmitted) -> None:
        text = event.text.lstrip()
        if text.startswith("//"):
            self.send(text[1:])  # "//" sends a message that starts with "/"
        elif text.startswith("/"):
            self.run_command(text.strip())
        else:
            self.send(event.text)

    def send(self, text: str) -> None:
        """Start a turn for ``text``; a refusal keeps the text in the prompt."""
        try:
            self._stream(self.session.begin(text))
        except Refused as refused:
            self.prompt.set_text(text)
            self._notice(refused)

    def _stream(self, turn: Turn) -> None:
        self.view.begin_stream(turn)
        self.refresh_header()
        self.turn_worker = self._run_turn(turn)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_turn(self, turn: Turn) -> None:
        feed = self.view.feed
        try:
            async with aclosing(self.session.run(turn)) as updates:
                async for update in updates:
                    feed(update)
        finally:
            self.view.end_stream()

    @on(TurnStarted)
    def _turn_started(self, event: TurnStarted) -> None:
        self.reasoning.show_turn(event.turn, streaming=True)

    @on(ReasoningStreamed)
    def _reasoning_streamed(self, event: ReasoningStreamed) -> None:
        self.reasoning.streamed(event.turn, event.text, event.replace)

    @on(TurnProgressed)
    def _turn_progressed(self, event: TurnProgressed) -> None:
        if self.usage.display:
            self.usage.show(event.turn, self.conversation.usage_total(), live_chars=event.chars)

    @on(TurnFinished)
    def _turn_finished(self, event: TurnFinished) -> None:
        turn = event.turn
        self.reasoning.finished(turn)
        self.usage.show(turn, self.conversation.usage_total())
        if turn.error and turn.status not in (Status.COMPLETED, Status.CANCELLED):
            self.notify(strip_controls(turn.error.get("message", "")), title=turn.error.get("title", "Error"), severity="error", markup=False)

    @on(TurnSelected)
    def _turn_selected(self, event: TurnSelected) -> None:
        turn = next((t for t in self.conversation.turns if t.id == event.turn_id), None)
        if turn is not None and turn is not self.session.streaming:
            self.reasoning.show_turn(turn)
            self.usage.show(turn, self.conversation.usage_total())

    # -- commands: every key, palette entry and /command lands in cmd_<name> -----------
    def action_command(self, name: str) -> None:
        """Run a command from its key binding."""
        self.run_command(f"/{name}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every command, in the command palette too."""
        yield from super().get_system_commands(screen)
        for command in cmds.COMMANDS:
            line = f"/{command.name}"
            if command.needs_arg or command.name in ("system",):
                callback = lambda line=line: self.prompt.set_text(line + " ")  # noqa: E731
            else:
                callback = lambda line=line: self.run_command(line)  # noqa: E731
            yield SystemCommand(line, command.help, callback)

    def run_command(self, line: str) -> None:
        """Run one command; bad input or a refusal gets a message, never an exception."""
        try:
            command, arg = cmds.parse(line)
            getattr(self, f"cmd_{command.name}")(arg)
        except cmds.CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
        except Refused as refused:
            self._notice(refused)

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

    @work(group="models", exclusive=True)
    async def _pick_model(self) -> None:
        from chatui.ui.screens.model_picker import ModelPicker

        models, note = await self._models(quiet=True), ""
        if models is None:
            models, note = [self.settings.model], "Could not list models: type any model id and press enter."
        chosen = await self.push_screen_wait(ModelPicker(models, self.settings.model, note))
        if chosen:
            self.run_command(f"/model {chosen}")

    async def _models(self, quiet: bool = False) -> list[str] | None:
        if self.session.gateway.needs_key:
            return None
        try:
            return await self.session.list_models()
        except ChatError as exc:
            if not quiet:
                self.notify(exc.message, title="Cannot list models", severity="warning", markup=False)
            return None

    @work(group="models")
    async def cmd_models(self, arg: str) -> None:
        """List the gateway's models."""
        models = await self._models()
        if models is not None:
            self._note("Models: " + ", ".join(models) if models else "The gateway listed no models.")

    def cmd_reasoning(self, arg: str) -> None:
        """Show or hide the reasoning pane."""
        self.show_reasoning = not self.show_reasoning

    def cmd_usage(self, arg: str) -> None:
        """Show or hide the usage pane."""
        self.show_usage = not self.show_usage

    def cmd_new(self, arg: str) -> None:
        """Start a new conversation."""
        self.session.new()
        self._show_conversation()

    def cmd_history(self, arg: str) -> None:
        """Browse saved conversations."""
        if self.session.store is None:
            raise Refused("Transcripts are off for this session.", severity="information")
        from chatui.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(self.session.store), self.open_conversation)

    def open_conversation(self, conversation: Conversation | None) -> None:
        """Continue a saved conversation."""
        if conversation is not None:
            try:
                self.session.open(conversation)
            except Refused as refused:
                self._notice(refused)
                return
            self._show_conversation()

    def cmd_system(self, arg: str) -> None:
        """Set or clear the instructions."""
        self._note(self.session.set_instructions(arg))

    def cmd_set(self, arg: str) -> None:
        """Set a request parameter."""
        self._note(self.session.set_param(arg))

    def cmd_retry(self, arg: str) -> None:
        """Send the last prompt again, replacing the last answer."""
        old = self.conversation.turns[-1] if self.conversation.turns else None
        turn = self.session.retry()
        if old is not None:
            self.view.remove_turn(old)
        self._stream(turn)

    def cmd_edit(self, arg: str) -> None:
        """Put the last prompt back into the input."""
        self.prompt.set_text(self.session.last_prompt())
        self.prompt.focus()

    def cmd_copy(self, arg: str) -> None:
        """Copy the last answer or one of its code blocks."""
        text = self.session.copy_text(arg)
        self.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters.", markup=False)

    def cmd_save(self, arg: str) -> None:
        """Save the conversation now."""
        self.notify(f"Saved to {self.session.save()}", markup=False)

    def cmd_export(self, arg: str) -> None:
        """Export the conversation."""
        self.notify(f"Exported to {self.session.export(arg)}", markup=False)

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
        """Close the connection pools and any demo server started from setup."""
        await self.session.aclose()
