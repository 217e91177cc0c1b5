"""A scripted Responses API server: the test fixture and the backend of ``chatui --demo``."""

from chatui.demo.server import ScriptedServer

__all__ = ["ScriptedServer"]
