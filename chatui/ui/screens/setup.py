"""First run: paste a key (never echoed), choose a gateway, or try the demo."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select

from chatui.config import Profile
from chatui.i18n import N_, _
from chatui.session import Session


class SetupScreen(ModalScreen[bool]):
    """Shown when the chosen profile needs a key and none was found; applies the choice to the session.

    Dismissed with True when the session was pointed at a gateway (or the demo).
    """

    CSS_PATH = "setup.tcss"
    BINDINGS = [Binding("escape", "dismiss(False)", N_("Later"))]

    def __init__(self, session: Session) -> None:
        super().__init__()
        from chatui import config

        try:
            profiles = config.load().profiles
        except config.ConfigError:
            profiles = dict(config.BUILTIN_PROFILES)
        current = session.gateway.profile.name if session.gateway.profile else config.DEFAULT_PROFILE
        self.session = session
        self.profiles: dict[str, Profile] = profiles
        self.current = current if current in profiles else next(iter(profiles))

    def compose(self):
        prof = self.profiles[self.current]
        with Vertical(id="setup"):
            yield Label(Text(_("Welcome to chatui"), style="bold"))
            intro = _("No API key was found for the '{profile}' profile. Paste one, pick another gateway, or try the offline demo.").format(profile=prof.name)
            yield Label(Text(intro, style="dim"), id="setup-intro")
            yield Label(_("Gateway"))
            yield Select([(name, name) for name in self.profiles], value=self.current, allow_blank=False, id="setup-profile")
            yield Input(value=prof.base_url, placeholder="https://…/v1", id="setup-url")
            yield Label(_("API key"))
            yield Input(password=True, placeholder=_("paste your key (it is not shown)"), id="setup-key")
            with RadioSet(id="setup-save"):
                yield RadioButton(_("Save it for next time (key file readable only by you, mode 0600)"), value=True, id="save-file")
                yield RadioButton(_("Keep it for this session only"), id="save-none")
            yield Label("", id="setup-error")
            with Horizontal(id="setup-buttons"):
                yield Button(_("Start chatting"), variant="primary", id="setup-go")
                yield Button(_("Try the demo"), id="setup-demo")

    def on_mount(self) -> None:
        self.query_one("#setup-key", Input).focus()

    @on(Select.Changed, "#setup-profile")
    def _profile(self, event: Select.Changed) -> None:
        prof = self.profiles.get(str(event.value))
        if prof is not None:
            self.query_one("#setup-url", Input).value = prof.base_url

    @on(Input.Submitted)
    @on(Button.Pressed, "#setup-go")
    def _go(self) -> None:
        name = str(self.query_one("#setup-profile", Select).value)
        prof = self.profiles[name]
        url = self.query_one("#setup-url", Input).value.strip().rstrip("/")
        key = self.query_one("#setup-key", Input).value.strip() or None
        error = self.query_one("#setup-error", Label)
        if not url.startswith(("http://", "https://")):
            error.update(Text(_("The base URL must start with http:// or https://"), style="bold red"))
            return
        if prof.requires_key and not key:
            error.update(Text(_("Paste a key, choose a gateway that needs none (ollama), or try the demo."), style="bold red"))

            return
        save = self.query_one("#save-file", RadioButton).value
        self.session.use_profile(prof, url, key, bool(save and key))
        self.dismiss(True)

    @on(Button.Pressed, "#setup-demo")
    def _demo(self) -> None:
        self.session.use_demo()
        self.dismiss(True)
