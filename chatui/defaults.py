"""Built-in defaults: one place for every default fact of the core."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://aihubmix.com/v1"
DEFAULT_MODEL = "gpt-5-mini"
DEMO_MODEL = "chatui-demo"

# Reasoning models can be silent for minutes, so the read timeout is long;
# connecting should fail fast.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 600.0
WRITE_TIMEOUT = 60.0
POOL_TIMEOUT = 10.0

MIN_RATE_WINDOW = 0.5  # seconds of streaming below which tokens/s is not reported

MAX_RETRIES = 2
MAX_RETRY_WAIT = 120.0  # a server asking for a longer wait is not retried
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0

MAX_ERROR_BODY = 1 << 20  # bytes of a non-2xx body we read for the message
MAX_EVENT_BYTES = 16 << 20  # one SSE event (or one unterminated line) larger than this is a protocol error
MAX_MODEL_LIST_BYTES = 16 << 20  # GET /models: more than this is not a model list
MAX_ANSWER_CHARS = 16 << 20  # one turn's streamed text (answer, reasoning, tool arguments): past this, reading stops

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
REASONING_SUMMARIES = ("auto", "concise", "detailed")

# The model catalogue (prices, context lengths): kept on disk this long, then fetched again;
# an older copy is still used when the gateway cannot be reached.
CATALOGUE_TTL = 24 * 3600.0
CATALOGUE_TIMEOUT = 10.0
MAX_CATALOGUE_BYTES = 32 << 20
CONTEXT_WARNING = 0.8  # share of the context window at which the gauge warns
