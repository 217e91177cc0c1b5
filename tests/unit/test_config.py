"""Configuration: precedence in each direction, bad files, key files, masking."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatui import config
from chatui.config import ConfigError, load, resolve

KEY = "sk-config-SECRET-9876543210wxyz"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))


def test_builtins_without_a_file(tmp_path):
    eff = resolve(load(tmp_path / "missing.toml"), environ={})
    assert eff.profile.name == "aihubmix" and eff.base_url == "https://aihubmix.com/v1"
    assert eff.api_key is None and eff.needs_key
    assert eff.sources == {"profile": "built-in", "base_url": "built-in", "model": "built-in"}


def test_file_overrides_builtins(tmp_path):
    cfg = load(write(tmp_path, 'default_profile = "work"\n[profiles.work]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m-file"\ntemperature = 0.2\n[profiles.aihubmix]\nmodel = "from-file"\n'))
    eff = resolve(cfg, environ={})
    assert (eff.profile.name, eff.base_url, eff.model) == ("work", "http://127.0.0.1:9/v1", "m-file")
    assert eff.settings().temperature == 0.2 and eff.sources["model"] == "config file"
    assert resolve(cfg, profile="aihubmix", environ={}).model == "from-file"


def test_env_overrides_file_and_flag_overrides_env(tmp_path):
    cfg = load(write(tmp_path, '[profiles.aihubmix]\nmodel = "file-model"\nbase_url = "http://file.example/v1"\n'))
    env = {"CHATUI_MODEL": "env-model", "CHATUI_BASE_URL": "http://env.example/v1", "CHATUI_PROFILE": "openai"}
    eff = resolve(cfg, environ=env)
    assert (eff.profile.name, eff.model, eff.base_url) == ("openai", "env-model", "http://env.example/v1")
    assert eff.sources["model"] == "CHATUI_MODEL"
    eff = resolve(cfg, profile="aihubmix", model="flag-model", base_url="http://flag.example/v1", environ=env)
    assert (eff.profile.name, eff.model, eff.base_url) == ("aihubmix", "flag-model", "http://flag.example/v1")
    assert eff.sources == {"profile": "--profile", "base_url": "--base-url", "model": "--model"}


def test_key_precedence_env_then_profile_var_then_key_file(tmp_path):
    cfg = load(tmp_path / "none.toml")
    prof = cfg.profiles["aihubmix"]
    config.write_key_file(prof.key_path(), "sk-from-file-0000")
    assert resolve(cfg, environ={}).api_key == "sk-from-file-0000"
    assert resolve(cfg, environ={"OPENAI_API_KEY": "sk-openai"}).api_key == "sk-openai"
    assert resolve(cfg, environ={"OPENAI_API_KEY": "sk-openai", "AIHUBMIX_API_KEY": "sk-hub"}).api_key == "sk-hub"
    eff = resolve(cfg, environ={"AIHUBMIX_API_KEY": "sk-hub", "CHATUI_API_KEY": "sk-chatui"})
    assert eff.api_key == "sk-chatui" and eff.key_source == "CHATUI_API_KEY"


def test_key_file_is_private(tmp_path):
    path = config.write_key_file(tmp_path / "keys" / "p.key", KEY)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert config.read_key_file(path) == KEY


def test_ollama_needs_no_key(tmp_path):
    eff = resolve(load(tmp_path / "none.toml"), profile="ollama", environ={})
    assert eff.base_url == "http://localhost:11434/v1" and not eff.needs_key


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[profiles.aihubmix\nmodel = "x"\n', "invalid TOML"),
        ('[profiles.aihubmix]\n\ntemperature = "hot"\n', "line 3: 'profiles.aihubmix.temperature' has the wrong type"),
        ("[profiles.aihubmix]\ntemperature = 5\n", "line 2: 'profiles.aihubmix.temperature' is invalid: temperature must be between 0 and 2"),
        ('[profiles.aihubmix]\nreasoning_effort = "huge"\n', "reasoning_effort' is invalid"),
        ('[profiles.new]\nmodel = "x"\n', "'profiles.new.base_url' is required"),
        ('[profiles.new]\nbase_url = "ftp://x"\n', "must start with http"),
        ('default_profile = "nope"\n', "line 1: 'default_profile' names no profile"),
        ("colour = 1\n", "'colour' is not a known setting"),
        ('[ui]\nshow_usage = "yes"\n', "line 2: 'ui.show_usage' has the wrong type"),
        ('[profiles.aihubmix]\nmodle = "x"\n', "'profiles.aihubmix.modle' is not a profile setting"),
    ],
)
def test_bad_files_name_file_line_and_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_unknown_profile_flag(tmp_path):
    with pytest.raises(ConfigError, match="Unknown profile 'x'"):
        resolve(load(tmp_path / "none.toml"), profile="x", environ={})


def test_starter_file_parses_and_is_not_overwritten(tmp_path):
    path = config.write_starter(tmp_path / "c.toml")
    assert load(path).default_profile == "aihubmix"
    with pytest.raises(ConfigError, match="already exists"):
        config.write_starter(path)
    config.write_starter(path, force=True)


def test_mask():
    assert config.mask(KEY) == "…wxyz" and config.mask(None) == "(none)" and config.mask("short") == "…****"


def run_cli(args, env):
    return subprocess.run([sys.executable, "-m", "chatui", *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def test_chatui_config_masks_the_key_and_reports_bad_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), CHATUI_API_KEY=KEY)
    out = run_cli(["config"], env)
    assert out.returncode == 0 and "…wxyz" in out.stdout and KEY not in out.stdout + out.stderr
    assert run_cli(["config", "init"], env).returncode == 0
    cfg_file = tmp_path / "cfg" / "chatui" / "config.toml"
    assert cfg_file.exists()
    cfg_file.write_text('[profiles.aihubmix]\ntop_p = "x"\n')
    out = run_cli(["config"], env)
    assert out.returncode == 2 and "line 2" in out.stderr and "top_p" in out.stderr and "Traceback" not in out.stderr
    out = run_cli(["--profile", "aihubmix"], env)
    assert out.returncode == 2 and "top_p" in out.stderr


def test_chatui_models_lists_the_profiles_models(tmp_path, server):
    from tests.conftest import API_KEY

    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), CHATUI_API_KEY=API_KEY)
    (tmp_path / "cfg" / "chatui").mkdir(parents=True)
    (tmp_path / "cfg" / "chatui" / "config.toml").write_text(f'default_profile = "local"\n[profiles.local]\nbase_url = "{server.base_url}"\n')
    out = run_cli(["models"], env)
    assert out.returncode == 0 and "chatui-demo" in out.stdout.split()
