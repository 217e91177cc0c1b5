"""The parameter and command tables: everything derived from them agrees with them."""

from __future__ import annotations

import tomllib

import pytest

from chatui import config
from chatui.commands import COMMANDS, help_text, keys_text, route
from chatui.conversation import Settings
from chatui.params import PARAMS, lookup, request_fields


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_every_parameter_flows_from_set_to_body_config_and_help(param, tmp_path):
    example = tomllib.loads(f"v = {param.example}")["v"]
    settings = Settings("m")
    for name in (param.name, *param.aliases):
        assert lookup(name) is param
    settings.set(param.short or param.name, str(example).lower() if isinstance(example, bool) else str(example))
    assert getattr(settings, param.name) == example
    body = request_fields(settings.values)
    if param.wire:
        node = body
        for part in param.wire:
            node = node[part]
        assert node == example
    else:
        assert param.name not in str(body)
    # the starter config file documents it, and uncommented it loads with the same value
    line = next(line for line in config.STARTER.splitlines() if line.startswith(f"# {param.name} ="))
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.aihubmix]\n{line[2:]}\n", encoding="utf-8")
    loaded = config.load(path).profiles["aihubmix"].params[param.name]
    assert loaded == example
    assert param.name in config.describe(config.resolve(config.load(path), environ={}))
    assert param.name in help_text() or (param.short or "") in help_text()


def test_a_bad_config_value_is_refused_with_the_set_rule(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[profiles.aihubmix]\nmax_output_tokens = 3\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="line 2: 'profiles.aihubmix.max_output_tokens' is invalid: max_output_tokens must be at least 16"):
        config.load(path)


def test_every_key_is_in_the_help_and_names_a_command():
    keys = keys_text()
    for command in COMMANDS:
        if command.key:
            assert command.key in keys and command.help in keys
    assert "ctrl+l" in keys and "Browse saved conversations" in keys
    assert len({c.key for c in COMMANDS if c.key}) == len([c for c in COMMANDS if c.key])  # no key bound twice


def test_routing_commands_and_literal_slashes():
    assert route("/set temperature 1") == (True, "/set temperature 1")
    assert route("  //etc/hosts is a file") == (False, "/etc/hosts is a file")
    assert route("hello /there") == (False, "hello /there")
