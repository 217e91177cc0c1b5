"""First run: the setup screen under Pilot."""

from __future__ import annotations

import pytest

from chatui import config
from chatui.ui.factory import make_app
from tests.app.conftest import screen_text, send, until

KEY = "sk-pasted-SECRET-1234567890abcd"


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))


def first_run_app(store):
    eff = config.resolve(config.load(), environ={})
    return make_app(base_url=eff.base_url, api_key=None, model=eff.model, store=store, profile=eff.profile, needs_setup=eff.needs_key)


async def fill(app, pilot, url: str, key: str, session_only: bool = False) -> None:
    await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen", what="the setup screen")
    app.screen.query_one("#setup-url").value = url
    if session_only:
        app.screen.query_one("#save-none").value = True
    app.screen.query_one("#setup-key").focus()
    await pilot.press(*key)
    assert key not in screen_text(app)  # never echoed
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ != "SetupScreen", what="setup to close")


async def test_pasted_key_is_saved_0600_and_used(server, store):
    server.api_key = KEY
    app = first_run_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(app, pilot, server.base_url, KEY)
        key_file = config.BUILTIN_PROFILES["aihubmix"].key_path()
        assert key_file.read_text().strip() == KEY and oct(key_file.stat().st_mode & 0o777) == "0o600"
        assert "no API key" not in screen_text(app) and "No API key is set" not in screen_text(app)
        app.session.settings.model = "chatui-demo"
        await send(app, pilot, "hello")
        assert server.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"
        assert app.session.conversation.turns[-1].status.ok
    # next start finds the key in the file: no setup
    assert not config.resolve(config.load(), environ={}).needs_key


async def test_session_only_key_is_not_written(server, store):
    app = first_run_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(app, pilot, server.base_url, KEY, session_only=True)
        assert not config.BUILTIN_PROFILES["aihubmix"].key_path().exists()
        assert app.session.client.has_key


async def test_missing_key_gets_a_message_not_a_crash(server, store):
    app = first_run_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        await pilot.click("#setup-go")
        await pilot.pause()
        assert type(app.screen).__name__ == "SetupScreen"
        assert "Paste a key" in screen_text(app)


async def test_config_theme_and_panes_apply(server, store, tmp_path):
    cfg_dir = tmp_path / "cfg" / "chatui"
    cfg_dir.mkdir(parents=True)
    (cfg_dir / "config.toml").write_text('[ui]\ntheme = "nord"\nshow_usage = false\nshow_reasoning = true\n')
    eff = config.resolve(config.load(), environ={"CHATUI_API_KEY": "k"})
    app = make_app(base_url=server.base_url, api_key=eff.api_key, model="chatui-demo", store=store, theme=eff.ui.theme,
                  show_reasoning=eff.ui.show_reasoning, show_usage=eff.ui.show_usage, profile=eff.profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        assert app.side.reasoning.display and not app.side.usage.display


async def test_demo_from_setup_keeps_real_history_clean(store):
    app = first_run_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        await pilot.click("#setup-demo")
        await until(pilot, lambda: app.session.gateway.demo)
        assert "DEMO" in screen_text(app)
        await send(app, pilot, "hello demo")
        assert app.session.conversation.turns[-1].status.ok and "Welcome" in app.session.conversation.turns[-1].answer
        assert app.session.store is not store and app.session.store.summaries()
    assert not store.summaries()
