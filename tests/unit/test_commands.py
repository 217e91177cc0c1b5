"""Slash command parsing and fuzzy model filtering."""

import pytest

from chatui.commands import CommandError, fuzzy_filter, help_text, parse


def test_parse_with_args_and_aliases():
    cmd, rest = parse("/set temperature 0.2")
    assert cmd.name == "set" and rest == "temperature 0.2"
    assert parse("/q")[0].name == "quit"


def test_unknown_command_suggests_the_close_one():
    with pytest.raises(CommandError, match="Did you mean /model"):
        parse("/modle gpt")


def test_set_and_system_alone_are_commands_not_errors():
    assert parse("/set")[0].name == "set" and parse("/system")[0].name == "system"


def test_help_lists_every_command():
    assert "/retry" in help_text() and "/export" in help_text()


def test_fuzzy_filter_prefers_substring_then_tight_subsequence():
    models = ["gpt-5-mini", "gpt-5.4", "gemini-3.1-pro-preview", "claude-sonnet-4-6", "gpt-4o-mini"]
    assert fuzzy_filter("mini", models)[:2] == ["gpt-5-mini", "gpt-4o-mini"]
    assert fuzzy_filter("gmp", models) == ["gemini-3.1-pro-preview"]
    assert fuzzy_filter("zzz", models) == []
