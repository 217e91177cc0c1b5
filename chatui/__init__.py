"""chatui: a terminal chat client for OpenAI-style Responses API gateways."""

__version__ = "0.1.0"
