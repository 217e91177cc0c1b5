"""Building the app: the one factory the CLI, tests, benchmarks and screenshots use."""

from __future__ import annotations

from typing import Any

from chatui.config import UIPrefs
from chatui.session import Session, make_session
from chatui.ui.app import ChatApp


def make_app(
    session: Session | None = None,
    *,
    prefs: UIPrefs | None = None,
    show_reasoning: bool | None = None,
    show_usage: bool | None = None,
    theme: str | None = None,
    needs_setup: bool = False,
    notes: list[str] | None = None,
    **session_args: Any,
) -> ChatApp:
    """The chat app over ``session`` (or a session made from ``session_args``, see make_session)."""
    if session is None:
        session = make_session(**session_args)
    if prefs is None:
        prefs = UIPrefs(theme, show_reasoning, show_usage)
    return ChatApp(session, prefs, needs_setup=needs_setup, notes=notes)

