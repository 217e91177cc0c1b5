"""The app in every language: footer, help, an error turn, /lang; CJK at 80x24 and 120x40."""

from __future__ import annotations

import re

import pytest

from chatui import i18n
from chatui.text import cells
from tests.app.conftest import screen_text, send, until
from tests.app.test_snapshots import fixed_conversation, make

# (footer words, a help line, the failed-key message, the "You" label) per language
EXPECTED = {
    "en": ("Model", "Browse saved conversations", "The API key was rejected", "You"),
    "fr": ("Modèle", "Parcourir les conversations enregistrées", "La clé d'API a été refusée", "Vous"),
    "zh_CN": ("模型", "浏览已保存的对话", "API 密钥被拒绝", "你"),
    "ko": ("모델", "저장된 대화 보기", "API 키가 거부되었습니다", "나"),
}


@pytest.mark.parametrize("code", list(EXPECTED))
async def test_footer_help_and_an_error_turn_in_each_language(code, make_app):
    i18n.use(code)
    footer, help_line, rejected, you = EXPECTED[code]
    app = make_app(api_key="sk-wrong-key")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bottom = screen_text(app).splitlines()[-1]
        assert footer in bottom
        await send(app, pilot, "hello")
        text = screen_text(app)
        assert rejected in text and you in text
        await pilot.press("f1")
        await until(pilot, lambda: help_line in screen_text(app), what="the help screen")


async def test_lang_switches_the_running_app_and_says_how_to_keep_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "hello")
        assert "New" in screen_text(app).splitlines()[-1]
        app.run_command("/lang ko")
        await until(pilot, lambda: "새 대화" in screen_text(app).splitlines()[-1], what="the footer in Korean")
        text = screen_text(app)
        assert "사용량" in text and "language = \"ko\"" in text and "[ui]" in text
        assert i18n.current() == "ko"
        app.run_command("/lang nope")
        await until(pilot, lambda: " New " in screen_text(app).splitlines()[-1], what="the footer in English again")
        assert i18n.current() == "en"
        assert "Unknown language 'nope'" in screen_text(app)



async def test_an_unknown_configured_language_is_noted_on_screen(make_app):
    from chatui.ui.factory import make_app as build

    app = build(base_url="http://127.0.0.1:1/v1", api_key="demo", model="chatui-demo", demo=True, store=None, notes=[i18n.unknown_note("xx", "CHATUI_LANG")])
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "Unknown language 'xx'" in screen_text(app), what="the note")


@pytest.mark.parametrize("code", ["zh_CN", "ko"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_cjk_layout_holds_nothing_cut_mid_character(code, size):
    """Every screen line is exactly the terminal's width in cells: no wide character split or spilled."""
    i18n.use(code)
    app = make(fixed_conversation())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        strips = list(app.screen._compositor.render_strips())
        assert len(strips) == size[1]
        for strip in strips:
            assert cells(strip.text) == size[0], strip.text
        assert EXPECTED[code][0] in strips[-1].text or size[0] < 100


def test_main_screen_zh_cn_80x24(snap_compare):
    i18n.use("zh_CN")
    assert snap_compare(make(fixed_conversation()), terminal_size=(80, 24))


def test_main_screen_ko_80x24(snap_compare):
    i18n.use("ko")
    assert snap_compare(make(fixed_conversation()), terminal_size=(80, 24))


@pytest.mark.parametrize("code", list(EXPECTED))
async def test_every_footer_label_fits_whole_at_80_columns(code):
    from chatui.commands import COMMANDS

    i18n.use(code)
    app = make(fixed_conversation())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for command in COMMANDS:
            if command.footer:
                key = "esc" if command.key == "escape" else command.key.replace("ctrl+", "^")
                assert re.search(re.escape(f"{key} {command.label}") + r"( |▏|$)", footer.rstrip()), (command.label, footer)


