"""Where chatui keeps things on disk: the one place for paths."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "chatui"


def data_dir() -> Path:
    """The user data dir (XDG_DATA_HOME honoured)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def conversations_dir(demo: bool = False) -> Path:
    """Where transcripts live; the demo keeps its own, never mixed with real conversations."""
    return data_dir() / ("demo" if demo else "") / "conversations"


def config_dir() -> Path:
    """The user config dir (XDG_CONFIG_HOME honoured)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    """The TOML configuration file."""
    return config_dir() / "config.toml"


def state_file() -> Path:
    """Choices chatui remembers between runs (the theme picked in the palette)."""
    return data_dir() / "state.json"


def cache_dir() -> Path:
    """The user cache dir (XDG_CACHE_HOME honoured): things that can be fetched again."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def catalogues_dir() -> Path:
    """Model catalogues, one file per gateway."""
    return cache_dir() / "catalogues"
