"""The chat app: conversation, reasoning and usage panes, prompt, commands."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterable

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker

from chatui import commands as cmds
from chatui.blocks import code_blocks
from chatui.conversation import Conversation, Settings, Turn
from chatui.errors import ChatError
from chatui.text import strip_controls
from chatui.turn import ANSWER, ANSWER_RESET, REASONING, REASONING_RESET, Status
from chatui.ui.messages import PromptSubmitted, TurnSelected
from chatui.ui.widgets.conversation import AssistantMessage, ConversationView
from chatui.ui.widgets.panes import ReasoningPane, UsagePane
from chatui.ui.widgets.prompt import PromptArea
from chatui.ui.widgets.topbar import TopBar

FRAME_RATE = 15  # repaints per second while streaming: paced to the screen, not to the deltas
NARROW = 100  # below this many columns the side panes start hidden
DEMO_NOTE = (
    "Demo mode: answers come from chatui's built-in scripted server on 127.0.0.1 — nothing leaves this machine. "
    "Ask anything; try 'show me some code', 'a table', or write in 中文."
)


class ChatApp(App[None]):
    """chatui's main application."""

    CSS_PATH = "app.tcss"
    TITLE = "chatui"
    BINDINGS = [
        Binding("escape", "stop", "Stop", show=True),
        Binding("ctrl+o", "pick_model", "Model", show=True),
        Binding("ctrl+r", "toggle_reasoning", "Reasoning", show=True),
        Binding("ctrl+g", "toggle_usage", "Usage", show=True),
        Binding("ctrl+n", "new", "New", show=True),
        Binding("ctrl+l", "history", "History", show=True),
        Binding("f1", "help", "Help", show=True),
        Binding("ctrl+b", "show_earlier", "Earlier", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
    ]

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        model: str,
        demo: bool = False,
        settings: Settings | None = None,
        conversation: Conversation | None = None,
        store: Any = None,
        show_reasoning: bool | None = None,
        show_usage: bool | None = None,
        theme: str | None = None,
        profile: Any = None,
        needs_setup: bool = False,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.needs_setup = needs_setup
        self._theme_pref = theme
        self._demo_server: Any = None
        self.base_url = base_url.rstrip("/")
        self.demo = demo
        self._key = api_key
        self._client: Any = None
        self.settings = settings or Settings(model=model)
        if conversation is None:
            conversation = Conversation(self.settings, self.base_url)
        self.conversation = conversation
        self.settings = conversation.settings
        self.store = store
        self.models_cache: list[str] | None = None
        self.turn_worker: Worker | None = None
        self.streaming: tuple[Turn, AssistantMessage] | None = None
        self._pacer = None
        self._pane_prefs = (show_reasoning, show_usage)

    @property
    def client(self) -> Any:
        """The HTTP client, made on first use: httpx is not needed for the first frame."""
        if self._client is None:
            from chatui.client import ResponsesClient

            self._client = ResponsesClient(self.base_url, self._key)
        return self._client

    def _prewarm(self) -> None:
        """After the first frame: import the network and rendering stack in the background."""

        def warm() -> None:
            import chatui.chat  # noqa: F401  (httpx, httpx-sse)
            from chatui.ui.widgets.markdown_view import _lexer

            _lexer("python")  # Pygments' plugin scan happens once, here

        self.run_worker(warm, thread=True, exit_on_error=False, group="prewarm")

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

    @property
    def view(self) -> ConversationView:
        """The conversation view."""
        return self.query_one(ConversationView)

    @property
    def prompt(self) -> PromptArea:
        """The prompt."""
        return self.query_one(PromptArea)

    @property
    def reasoning(self) -> ReasoningPane:
        """The reasoning pane."""
        return self.query_one(ReasoningPane)

    @property
    def usage(self) -> UsagePane:
        """The usage pane."""
        return self.query_one(UsagePane)

    def on_mount(self) -> None:
        """Apply preferences, show any loaded conversation, focus the prompt."""
        self.prompt.border_title = "Message · enter send · ctrl+j newline"
        show_reasoning, show_usage = self._pane_prefs
        narrow = self.size.width < NARROW
        self.reasoning.display = (not narrow) if show_reasoning is None else show_reasoning
        self.usage.display = (not narrow) if show_usage is None else show_usage
        self._sync_side()
        self.refresh_header()
        if self._theme_pref:
            if self._theme_pref in self.available_themes:
                self.theme = self._theme_pref
            else:
                self.notify(f"Unknown theme '{self._theme_pref}' in the config file.", severity="warning", markup=False)
        self.usage.show(None, self.conversation.usage_total())
        if self.conversation.turns:
            self.view.load(self.conversation.turns)
            self.prompt.sent = [t.user_text for t in self.conversation.turns]
            last = self.conversation.turns[-1]
            self.usage.show(last, self.conversation.usage_total())
            self.reasoning.show_turn(last)
        elif self.demo:
            self.view.add_note(DEMO_NOTE, "note demo")
        if not self._key and not self.demo and (self.profile is None or self.profile.requires_key):
            self.view.add_note(
                "No API key is set. Set CHATUI_API_KEY (or AIHUBMIX_API_KEY / OPENAI_API_KEY) and restart, "
                "or run `chatui --demo` to try it offline.",
                "note warning no-key",
            )
        self.prompt.focus()
        self.call_after_refresh(self._prewarm)
        if self.needs_setup:
            self.open_setup()

    def open_setup(self) -> None:
        """The first-run screen: key, gateway, or demo."""
        from chatui import config
        from chatui.ui.screens.setup import SetupScreen

        try:
            profiles = config.load().profiles
        except config.ConfigError:
            profiles = dict(config.BUILTIN_PROFILES)
        current = self.profile.name if self.profile is not None else config.DEFAULT_PROFILE
        self.push_screen(SetupScreen(profiles, current), self._setup_done)

    def _setup_done(self, result: Any) -> None:
        if result is None:
            return
        if result.demo:
            from chatui.defaults import DEMO_MODEL
            from chatui.demo import ScriptedServer

            self._demo_server = ScriptedServer(pace=1.0).start()
            if self.store is not None:
                self.store = type(self.store).temporary()  # keep demo chats out of the real history
            self.configure_gateway(self._demo_server.base_url, "demo", DEMO_MODEL, demo=True)
            self.view.add_note(DEMO_NOTE, "note demo")
            return
        from chatui import config

        prof = result.profile
        if result.save and result.key:
            try:
                path = config.write_key_file(prof.key_path(), result.key)
                self.notify(f"Key saved to {path} (mode 0600).", markup=False)
            except OSError as exc:
                self.notify(f"Could not save the key ({exc.strerror or exc}); it is kept for this session.", severity="warning", markup=False)
        same = self.profile is not None and self.profile.name == prof.name
        self.profile = prof
        # keep the model chosen on the command line when the profile did not change
        self.configure_gateway(result.base_url, result.key, self.settings.model if same else prof.model)

    def configure_gateway(self, base_url: str, key: str | None, model: str, *, demo: bool = False) -> None:
        """Point the app at another gateway (after setup)."""
        old = self._client
        self.base_url = base_url.rstrip("/")
        self._key = key
        self.demo = demo
        self._client = None  # made again, for the new gateway, on first use
        if old is not None:
            self.run_worker(old.aclose(), exit_on_error=False)
        self.models_cache = None
        self.conversation.gateway = self.base_url
        self.settings.model = model
        for note in self.query(".no-key"):
            note.remove()
        self.refresh_header()
        self.prompt.focus()

    def refresh_header(self) -> None:
        """Show the current model and gateway."""
        self.query_one(TopBar).show(self.settings.model, self.base_url, demo=self.demo, has_key=bool(self._key), title=self.conversation.title)

    def _sync_side(self) -> None:
        self.query_one("#side").display = bool(self.reasoning.display or self.usage.display)

    # -- sending -----------------------------------------------------------------------
    @on(PromptSubmitted)
    def _submitted(self, event: PromptSubmitted) -> None:
        text = event.text
        if text.lstrip().startswith("/") and not text.lstrip().startswith("//"):
            self.run_command(text.strip())
            return
        if text.lstrip().startswith("//"):
            text = text.lstrip()[1:]  # "//" sends a message that starts with "/"
        self.send(text)

    def send(self, text: str) -> None:
        """Start a turn for ``text`` (unless one is streaming)."""
        if self.streaming is not None:
            self.prompt.set_text(text)
            self.notify("An answer is still streaming: press escape to stop it first.", severity="warning", markup=False)
            return
        if not self._key and not self.demo and (self.profile is None or self.profile.requires_key):
            self.prompt.set_text(text)
            self.notify("No API key: set CHATUI_API_KEY and restart, or run chatui --demo.", title="Cannot send", severity="error", markup=False)
            return
        turn = self.conversation.start_turn(text)
        widget = self.view.add_turn(turn)
        self.refresh_header()
        self.reasoning.show_turn(turn, streaming=True)
        self._save()
        self.streaming = (turn, widget)
        self.turn_worker = self._run_turn(turn, widget)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_turn(self, turn: Turn, widget: AssistantMessage) -> None:
        from chatui.chat import stream_turn

        body = widget.body
        reasoning = self.reasoning
        self._pacer = self.set_interval(1 / FRAME_RATE, self._flush)
        self._live_chars = 0
        self._live_shown = 0.0
        try:
            async for what, text in stream_turn(self.client, self.conversation, turn):
                if what is ANSWER:
                    body.append(text)
                    self._live_chars += len(text)
                elif what is REASONING:
                    reasoning.append(text)
                elif what is ANSWER_RESET:
                    body.reset(text)
                elif what is REASONING_RESET:
                    reasoning.view.reset(text)
        finally:
            self._finish_turn(turn, widget)

    def _flush(self) -> None:
        """Paced repaint of whatever streamed since the last frame."""
        if self.streaming is None:
            return
        turn, widget = self.streaming
        view = self.view
        follow = view.at_bottom
        widget.body.flush()
        if self.reasoning.display and self.reasoning.turn_id == turn.id:
            self.reasoning.flush()
        now = time.monotonic()
        if self.usage.display and now - self._live_shown >= 1.0:
            # a live count once a second; only the first adds a row, the rest need no relayout
            first = not self._live_shown
            self._live_shown = now
            self.usage.show(turn, self.conversation.usage_total(), live_chars=self._live_chars, layout=first)
        if follow:
            view.scroll_end(animate=False, immediate=False)

    def _finish_turn(self, turn: Turn, widget: AssistantMessage) -> None:
        if self._pacer is not None:
            self._pacer.stop()
            self._pacer = None
        self.streaming = None
        follow = self.view.at_bottom
        if widget.body.text != strip_controls(turn.answer):
            widget.body.reset(turn.answer)
        widget.body.finish()
        widget.refresh_status()
        if self.reasoning.turn_id == turn.id:
            if self.reasoning.view.text != strip_controls(turn.reasoning):
                self.reasoning.view.reset(turn.reasoning)
            self.reasoning.view.finish()
            self.reasoning.border_title = f"Reasoning · {turn.model}" + ("" if turn.reasoning else " (none)")
        self.usage.show(turn, self.conversation.usage_total())
        if follow:
            self.view.scroll_end(animate=False)
        self._save()
        if turn.error and turn.status is not Status.COMPLETED and turn.status is not Status.CANCELLED:
            self.notify(strip_controls(turn.error.get("message", "")), title=turn.error.get("title", "Error"), severity="error", markup=False)

    def action_stop(self) -> None:
        """Stop the streaming answer; what arrived stays."""
        if self.turn_worker is not None and self.streaming is not None:
            self.turn_worker.cancel()

    # -- panes -------------------------------------------------------------------------------
    @on(TurnSelected)
    def _selected(self, event: TurnSelected) -> None:
        turn = next((t for t in self.conversation.turns if t.id == event.turn_id), None)
        if turn is None or (self.streaming and self.streaming[0] is turn):
            return
        self.reasoning.show_turn(turn)
        self.usage.show(turn, self.conversation.usage_total())

    def action_toggle_reasoning(self) -> None:
        """Show or hide the reasoning pane."""
        self.reasoning.display = not self.reasoning.display
        self._sync_side()

    def action_toggle_usage(self) -> None:
        """Show or hide the usage pane."""
        self.usage.display = not self.usage.display
        self._sync_side()

    def action_show_earlier(self) -> None:
        """Mount more of a long conversation's older turns."""
        self.view.show_earlier()

    # -- commands ----------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The slash commands, in the command palette too."""
        yield from super().get_system_commands(screen)
        for command in cmds.COMMANDS:
            if command.args and command.name not in ("model", "copy", "export"):
                callback = lambda c=command: self.prompt.set_text(f"/{c.name} ")  # noqa: E731
            else:
                callback = lambda c=command: self.run_command(f"/{c.name}")  # noqa: E731
            yield SystemCommand(f"/{command.name}", command.help, callback)

    def run_command(self, line: str) -> None:
        """Run one slash command; bad input gets a message, never an exception."""
        try:
            command, arg = cmds.parse(line)
        except cmds.CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        handler = getattr(self, f"cmd_{command.name}")
        try:
            handler(arg)
        except ValueError as exc:
            self.notify(str(exc), title=f"/{command.name}", severity="warning", markup=False)

    def cmd_model(self, arg: str) -> None:
        """/model: Switch the model for the next turn (no name: open the picker)."""
        if arg:
            self.set_model(arg)
        else:
            self.action_pick_model()

    def set_model(self, model: str) -> None:
        """Send the next turn to ``model``."""
        model = strip_controls(model).strip()
        if not model or any(c.isspace() for c in model):
            raise ValueError("A model id has no spaces, e.g. /model gpt-5-mini")
        if model == self.settings.model:
            return
        self.settings.model = model
        self.refresh_header()
        self.view.add_note(f"Model → {model} (from the next turn; earlier turns are sent as plain text).", "note")
        self._save()

    def cmd_models(self, arg: str) -> None:
        """/models: List the gateway's models."""
        self._list_models_note()

    @work(group="models")
    async def _list_models_note(self) -> None:
        models = await self._fetch_models()
        if models is not None:
            self.view.add_note("Models: " + ", ".join(models) if models else "The gateway listed no models.", "note")

    async def _fetch_models(self) -> list[str] | None:
        if self.models_cache is None:
            try:
                self.models_cache = await self.client.list_models()
            except ChatError as exc:
                self.notify(exc.message, title="Cannot list models", severity="warning", markup=False)
                return None
        return self.models_cache

    def action_pick_model(self) -> None:
        """Open the model picker."""
        self._open_picker()

    @work(group="models", exclusive=True)
    async def _open_picker(self) -> None:
        from chatui.ui.screens.model_picker import ModelPicker

        note = ""
        models = await self._fetch_models() if (self._key or self.demo) else None
        if models is None:
            models, note = [self.settings.model], "Could not list models: type any model id and press enter."
        chosen = await self.push_screen_wait(ModelPicker(models, self.settings.model, note))
        if chosen:
            try:
                self.set_model(chosen)
            except ValueError as exc:
                self.notify(str(exc), severity="warning", markup=False)

    def cmd_new(self, arg: str) -> None:
        """/new: Start a new conversation."""
        self.action_new()

    def action_new(self) -> None:
        """Start a new conversation with the same settings."""
        if self.streaming is not None:
            self.notify("Stop the streaming answer first (escape).", severity="warning", markup=False)
            return
        settings = Settings.from_dict(self.settings.to_dict())
        self.conversation = Conversation(settings, self.base_url)
        self.settings = settings
        self.view.clear_turns()
        self.reasoning.show_turn(None)
        self.usage.show(None, self.conversation.usage_total())
        self.refresh_header()
        self.prompt.focus()

    def cmd_system(self, arg: str) -> None:
        """/system: Set the instructions (system prompt); no text clears them."""
        self.settings.instructions = arg or None
        self.view.add_note(f"Instructions set: {arg}" if arg else "Instructions cleared.", "note")
        self._save()

    def cmd_set(self, arg: str) -> None:
        """/set: Set temperature, top_p, max_output_tokens, effort, summary, replay."""
        name, _, value = arg.partition(" ")
        if not value.strip() and name.lower() not in ("",):
            raise ValueError(f"Usage: /set {name or 'NAME'} VALUE  (VALUE 'off' clears it)")
        message = self.settings.set(name, value)
        self.view.add_note(f"Set {message}.", "note")
        self._save()

    def cmd_retry(self, arg: str) -> None:
        """/retry: Send the last prompt again (replaces the last answer)."""
        if self.streaming is not None:
            self.notify("Wait for the answer to finish or stop it first (escape).", severity="warning", markup=False)
            return
        if not self.conversation.turns:
            self.notify("Nothing to retry yet.", markup=False)
            return
        last = self.conversation.turns[-1]
        self.conversation.remove_turn(last)
        self.view.remove_turn(last)
        self.send(last.user_text)

    def cmd_edit(self, arg: str) -> None:
        """/edit: Put the last prompt back into the input."""
        if not self.conversation.turns:
            self.notify("No earlier prompt to edit.", markup=False)
            return
        self.prompt.set_text(self.conversation.turns[-1].user_text)
        self.prompt.focus()

    def cmd_copy(self, arg: str) -> None:
        """/copy: Copy the last answer, or its Nth code block."""
        answers = [t for t in self.conversation.turns if t.answer]
        if not answers:
            self.notify("No answer to copy yet.", markup=False)
            return
        text = answers[-1].answer
        parts = arg.split()
        if parts and parts[0] == "code":
            blocks = code_blocks(text)
            if not blocks:
                raise ValueError("The last answer has no code block.")
            index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else len(blocks)
            if not 1 <= index <= len(blocks):
                raise ValueError(f"The last answer has {len(blocks)} code block(s).")
            text = blocks[index - 1]
        elif parts:
            raise ValueError("Usage: /copy  or  /copy code [N]")
        self.copy_to_clipboard(strip_controls(text))
        self.notify(f"Copied {len(text):,} characters.", markup=False)

    def cmd_save(self, arg: str) -> None:
        """/save: Save the conversation now."""
        self.action_save()

    def action_save(self) -> None:
        """Save the conversation now."""
        path = self._save(announce=True)
        if path is not None:
            self.notify(f"Saved to {path}", markup=False)

    def _save(self, announce: bool = False) -> Path | None:
        if self.store is None:
            if announce:
                self.notify("Transcripts are off for this session.", markup=False)
            return None
        try:
            return self.store.save(self.conversation)
        except OSError as exc:
            self.notify(f"Could not save the conversation ({exc.strerror or exc}); it stays in memory.", title="Save failed", severity="error", markup=False)
            return None

    def cmd_export(self, arg: str) -> None:
        """/export: Export the conversation as Markdown or JSON."""
        from chatui import export

        parts = arg.split(maxsplit=1)
        fmt = parts[0].lower() if parts else "md"
        if fmt not in ("md", "json", "markdown"):
            raise ValueError("Usage: /export [md|json] [PATH]")
        fmt = "md" if fmt == "markdown" else fmt
        path = Path(parts[1]).expanduser() if len(parts) > 1 else Path.cwd() / f"chatui-{self.conversation.id}.{fmt}"
        text = export.to_markdown(self.conversation) if fmt == "md" else json.dumps(export.to_json(self.conversation), ensure_ascii=False, indent=2)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"Could not write {path}: {exc.strerror or exc}") from None
        self.notify(f"Exported to {path}", markup=False)

    def cmd_history(self, arg: str) -> None:
        """/history: Browse saved conversations."""
        self.action_history()

    def action_history(self) -> None:
        """Browse saved conversations."""
        if self.store is None:
            self.notify("Transcripts are off for this session.", markup=False)
            return
        from chatui.ui.screens.history import HistoryScreen

        def opened(conversation: Conversation | None) -> None:
            if conversation is not None:
                self.open_conversation(conversation)

        self.push_screen(HistoryScreen(self.store), opened)

    def open_conversation(self, conversation: Conversation) -> None:
        """Continue a saved conversation."""
        if self.streaming is not None:
            self.notify("Stop the streaming answer first (escape).", severity="warning", markup=False)
            return
        conversation.gateway = self.base_url if conversation.gateway != self.base_url else conversation.gateway
        self.conversation = conversation
        self.settings = conversation.settings
        self.view.load(conversation.turns)
        self.prompt.sent = [t.user_text for t in conversation.turns]
        last = conversation.turns[-1] if conversation.turns else None
        self.reasoning.show_turn(last)
        self.usage.show(last, conversation.usage_total())
        self.refresh_header()

    def cmd_help(self, arg: str) -> None:
        """/help: Show keys and commands."""
        self.action_help()

    def action_help(self) -> None:
        """Keys and commands."""
        from chatui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def cmd_quit(self, arg: str) -> None:
        """/quit: Quit chatui."""
        self.exit()

    async def on_unmount(self) -> None:
        """Close the connection pool and any demo server started from setup."""
        if self._client is not None:
            await self._client.aclose()
        if self._demo_server is not None:
            self._demo_server.stop()
