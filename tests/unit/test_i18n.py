"""The catalogues: complete, consistent with the source, compiled; the language choice and plural forms."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from chatui import i18n
from chatui.i18n_build import catalogue_files, extract
from chatui.text import cells, pad

LANGS = ("fr", "zh_CN", "ko")
# {name} (str.format) and %(name)s / %s / %r (argparse's words)
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sr]|%[sr]")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def _catalogue(code: str):
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "chatui.po").open("rb") as f:
        return read_po(f, locale=code)


@pytest.fixture(scope="module")
def source():
    """Every marked message in the package, extracted from the source as a maintainer would."""
    return {m.id: m for m in extract() if m.id}


def test_there_is_one_catalogue_per_language():
    assert sorted(p.parent.parent.name for p in catalogue_files()) == sorted(LANGS)
    assert set(i18n.LANGUAGES) == {"en", *LANGS}


@pytest.mark.parametrize("code", LANGS)
def test_every_message_is_translated_with_the_same_placeholders(code, source):
    catalogue = _catalogue(code)
    problems = []
    for msgid, message in source.items():
        entry = catalogue.get(msgid)
        if entry is None or entry.fuzzy:
            problems.append(f"missing: {msgid!r}")
            continue
        if isinstance(msgid, tuple):
            forms = list(entry.string)
            assert len(forms) == catalogue.num_plurals, msgid
            allowed = placeholders(msgid[0]) | placeholders(msgid[1])
            needed = placeholders(msgid[0]) - {"{n}"}  # a singular may spell the one out
            found = set().union(*(placeholders(f) for f in forms))
            if any(not f.strip() for f in forms) or not found <= allowed or not needed <= found:
                problems.append(f"plural {msgid!r}: {forms!r}")
        else:
            if not entry.string.strip():
                problems.append(f"empty: {msgid!r}")
            elif placeholders(entry.string) != placeholders(msgid):
                problems.append(f"placeholders {msgid!r} -> {entry.string!r}")
            elif msgid.endswith("\n") != entry.string.endswith("\n"):
                problems.append(f"newline {msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", LANGS)
def test_the_compiled_catalogue_matches_its_source(code):
    """A .po edited without recompiling is caught here (pip install -e . or python -m chatui.i18n_build)."""
    compiled = gettext.translation(i18n.DOMAIN, localedir=str(i18n.LOCALE_DIR), languages=[code])
    for message in _catalogue(code):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n in range(3):
                got = compiled.ngettext(message.id[0], message.id[1], n)
                assert got == message.string[compiled.plural(n)], message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_source_marks_every_message_a_table_shows():
    """Command, parameter and status tables are marked for extraction, not translated at import."""
    from chatui.commands import COMMANDS, PROMPT_KEYS
    from chatui.outcome import Status
    from chatui.params import PARAMS

    ids = {m.id for m in extract()}
    assert {c.help for c in COMMANDS} <= ids
    assert {c.footer for c in COMMANDS if c.footer} <= ids
    assert {what for _key, what in PROMPT_KEYS} <= ids
    assert {p.help for p in PARAMS} <= ids
    i18n.use("fr")
    assert {s.label for s in Status} >= {"en cours…", "coupée", "arrêtée"}


@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "ko"),
        (None, {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),
        (None, {"LC_ALL": "zh_SG.UTF-8"}, "zh_CN"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),  # a locale chatui does not speak: English, no note
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"CHATUI_LANG": "ko", "LC_ALL": "fr_FR.UTF-8"}, "ko"),
        ("zh-CN", {"CHATUI_LANG": "ko", "LC_ALL": "fr_FR.UTF-8"}, "zh_CN"),
        ("fr", {}, "fr"),
    ],
)
def test_the_language_comes_from_config_then_chatui_lang_then_the_locale(configured, environ, expected):
    assert i18n.choose(configured, environ) == (expected, None)


def test_an_unknown_code_falls_back_to_english_with_a_one_line_note():
    code, note = i18n.choose("klingon", {"LANG": "fr_FR.UTF-8"})
    assert code == "en"
    assert note is not None and "klingon" in note and "[ui] language" in note and "\n" not in note
    code, note = i18n.choose(None, {"CHATUI_LANG": "zh_TW"})
    assert code == "en" and "CHATUI_LANG" in note


def test_plural_forms_follow_each_language():
    forms = ("{n} turn", "{n} turns")
    i18n.use("en")
    assert [i18n.ngettext(*forms, n).format(n=n) for n in (0, 1, 2)] == ["0 turns", "1 turn", "2 turns"]
    i18n.use("fr")  # French: zero takes the singular
    assert [i18n.ngettext(*forms, n).format(n=n) for n in (0, 1, 2)] == ["0 tour", "1 tour", "2 tours"]
    i18n.use("zh_CN")
    assert [i18n.ngettext(*forms, n).format(n=n) for n in (1, 2)] == ["1 轮", "2 轮"]
    i18n.use("ko")
    assert i18n.ngettext(*forms, 5).format(n=5) == "5턴"


def test_switching_translates_the_tables_at_display_time():
    from chatui.commands import BY_NAME, help_text

    assert BY_NAME["new"].label == "New"
    i18n.use("ko")
    assert BY_NAME["new"].label == "새 대화"
    assert "저장된 대화 보기" in help_text()
    i18n.use("en")
    assert "Browse saved conversations" in help_text()


def test_cells_counts_wide_characters_twice():
    assert cells("abc") == 3
    assert cells("配置文件") == 8
    assert cells("설정 파일") == 9
    assert cells("é") == 1 and cells("e\u0301") == 1
    assert cells(pad("模型", 10)) == 10 and pad("model", 3) == "model"


def _run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "chatui", *args], capture_output=True, text=True, env=environ, timeout=60)


def test_chatui_help_in_french():
    result = _run_cli("--help", CHATUI_LANG="fr")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("utilisation : chatui")
    for words in ("affiche cette aide et quitte", "affiche la version du programme et quitte", "sans l'interface", "reprendre la dernière conversation"):
        assert words in out, words
    assert "show this help" not in out and "continue the latest" not in out


def test_a_cli_error_is_in_the_language_chosen_by_the_locale():
    result = _run_cli("--resume", "x", "-c", CHATUI_LANG="", LC_ALL="ko_KR.UTF-8")
    assert result.returncode == 2
    assert "오류" in result.stderr and "-c와 --resume ID 중 하나만 쓰세요" in result.stderr


def test_chatui_config_in_chinese_keeps_its_columns_aligned():
    result = _run_cli("config", CHATUI_LANG="zh_CN")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("配置文件") and any(line.startswith("ui.language        zh_CN (简体中文)") for line in lines)
    # every value starts in the same terminal column, CJK labels included
    starts = {cells(re.match(r"^(\S+(?: \S+)*\s+)", line).group(1)) for line in lines}  # the label and its padding

    assert starts == {19}


def test_an_unknown_language_says_so_once_on_stderr():
    result = _run_cli("config", CHATUI_LANG="xx")
    assert result.returncode == 0
    assert result.stderr.count("Unknown language 'xx'") == 1 and "配置" not in result.stdout


# Calls whose text arguments a user reads: each must be _()/N_()/ngettext(), never a bare literal.
_SHOWN_CALLS = {
    "notify", "Refused", "Notice", "add_note", "Label", "Button", "RadioButton", "Static", "Text", "Binding",
    "ConfigError", "AttachmentError", "TranscriptError", "_Stop", "error", "add_argument", "add_argument_group",
    "ArgumentParser", "ItemLine", "StreamCut", "ProtocolError", "ConnectError", "TimeoutError_", "Cancelled",
    "QuotaExceeded", "AuthError", "NotFound", "TooLarge", "RateLimited", "BadRequest", "ServerError", "ChatError",
}
_SHOWN_KEYWORDS = {"help", "description", "epilog", "placeholder", "title"}


def _words(node) -> str:
    """The literal words of a string constant or f-string ('' for anything else)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _words(node.left) + _words(node.right)
    return ""


def test_no_user_facing_literal_escapes_the_catalogue():
    """A new message passed as a bare string (not through _()) fails here, so it cannot be forgotten."""
    import ast

    problems = []
    for path in sorted(i18n.LOCALE_DIR.parent.rglob("*.py")):
        if "demo" in path.parts or path.name in ("i18n_build.py",):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            if name not in _SHOWN_CALLS:
                continue
            args = list(node.args[:1] if name != "Binding" else node.args[2:3])
            args += [k.value for k in node.keywords if k.arg in _SHOWN_KEYWORDS]
            for arg in args:
                words = re.findall(r"[A-Za-z]{3,}", _words(arg))
                # two or more words of text; ids, key names, style names and "/command" titles are not messages
                if len(words) >= 2 and not _words(arg).lstrip().startswith(("/", "#", "-")):

                    problems.append(f"{path.relative_to(i18n.LOCALE_DIR.parent.parent)}:{node.lineno}: {_words(arg)!r}")
    assert not problems, "\n".join(problems)
