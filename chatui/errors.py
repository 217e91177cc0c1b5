"""One exception per way a request can go wrong, each with a plain message.

Every error carries what a user can act on (``message``), the server's own
words (``server_message``), and the request id when the server gave one.
None of them ever holds the API key: :func:`redact` scrubs it from any text
that came back from a server before it is stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chatui.i18n import N_, _

_TID = re.compile(r"\(tid:\s*([^)\s]+)\)")


class ChatError(Exception):
    """Base of every chatui error; ``str()`` is the plain-language message."""

    title = N_("Request failed")
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        server_message: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.server_message = server_message
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.detail()

    def detail(self) -> str:
        """The message plus the server's words and request id, on separate lines."""
        lines = [self.message]
        if self.server_message and self.server_message not in self.message:
            lines.append(_("Server said: {words}").format(words=self.server_message))
        if self.request_id:
            lines.append(_("Request id: {id}").format(id=self.request_id))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe record of this error for transcripts."""
        return {
            "kind": type(self).__name__,
            "title": _(self.title),
            "message": self.message,
            "status": self.status,
            "server_message": self.server_message,
            "code": self.code,
            "request_id": self.request_id,
        }


class BadRequest(ChatError):
    """400/422: the server refused the request as sent."""

    title = N_("Bad request")


class AuthError(ChatError):
    """401/403: missing, wrong or unauthorised API key."""

    title = N_("Authentication failed")


class QuotaExceeded(ChatError):
    """Out of credit or quota; waiting will not help."""

    title = N_("Quota exhausted")


class NotFound(ChatError):
    """404 (or AIHubMix's 503): unknown model or wrong base URL."""

    title = N_("Model or URL not found")


class TooLarge(ChatError):
    """413: the request body (history, images) is too big."""

    title = N_("Request too large")


class RateLimited(ChatError):
    """429: too many requests; ``retry_after`` says how long to wait."""

    title = N_("Rate limited")
    retryable = True


class ServerError(ChatError):
    """5xx, including HTML error pages from proxies."""

    title = N_("Server error")
    retryable = True


class ConnectError(ChatError):
    """The server could not be reached (refused, DNS, TLS)."""

    title = N_("Cannot connect")
    retryable = True


class TimeoutError_(ChatError):
    """No answer within the time limit."""

    title = N_("Timed out")
    retryable = True


class StreamFailed(ChatError):
    """The server reported a failure in the middle of the stream."""

    title = N_("The answer failed")


class StreamCut(ChatError):
    """The stream ended without a terminal event (connection dropped)."""

    title = N_("The answer was cut off")


class ProtocolError(ChatError):
    """The server answered with something that is not the Responses protocol."""

    title = N_("Unexpected answer")


class Cancelled(ChatError):
    """The user stopped the answer."""

    title = N_("Stopped")


def redact(text: str | None, secret: Any, *, head: bool = True) -> str | None:
    """Remove ``secret`` (a str or a Secret) and its long tail from ``text``.

    ``head``: also its first 8 characters (for error messages; not for answers, where
    "sk-proj-" may be what a model is explaining).
    """
    value = secret.reveal() if hasattr(secret, "reveal") else secret
    if not text or not value or len(value) < 4:
        return text
    text = text.replace(value, "***")
    # Servers sometimes echo part of the key ("sk-abc...wxyz"): drop long tails too.
    if len(value) >= 12:
        text = text.replace(value[-8:], "***")
        if head:
            text = text.replace(value[:8], "***")
    return text


@dataclass(slots=True)
class ErrorBody:
    """A non-2xx body normalised across servers (protocol.md section 4.1)."""

    message: str | None
    code: str | None
    type: str | None
    param: str | None
    is_html: bool


def parse_error_body(raw: bytes, content_type: str = "") -> ErrorBody:
    """Parse any server's error body: JSON of several shapes, HTML, or plain text."""
    text = raw.decode("utf-8", "replace").lstrip("\ufeff").strip()
    data: Any = None
    if text[:1] in "{[":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # deeply nested JSON is refused, not a crash
            data = None

    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, str):
            return ErrorBody(inner, None, None, None, False)
        if isinstance(inner, dict):
            msg = inner.get("message") or inner.get("msg") or data.get("message")
            if msg is None and "detail" in data:
                msg = json.dumps(data["detail"], ensure_ascii=False)[:500]
            code = inner.get("code")
            etype = inner.get("type")
            param = inner.get("param")
            return ErrorBody(
                str(msg) if msg is not None else None,
                None if code is None else str(code),
                etype if isinstance(etype, str) else None,
                None if param is None else str(param),
                False,
            )
    lowered = text[:400].lower()
    is_html = "html" in content_type.lower() or lowered.startswith("<!doctype") or "<html" in lowered
    if is_html:
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
        found = title or heading
        summary = re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else None
        return ErrorBody(summary or None, None, None, None, True)
    return ErrorBody(text[:500] or None, None, None, None, False)


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from retry-after-ms / retry-after, if present and sane."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            from datetime import datetime, timezone
            from email.utils import parsedate_to_datetime

            try:
                when = parsedate_to_datetime(value)
                return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
            except (TypeError, ValueError):
                return None
    return None


def _request_id(headers: Any, message: str | None) -> str | None:
    rid = headers.get("x-request-id") or headers.get("x-generation-id")
    if rid:
        return rid
    if message:
        m = _TID.search(message)
        if m:
            return m.group(1)
    return None


OUT_OF_CREDIT = ("insufficient_quota", "insufficient_user_quota", "exceeded your current quota")  # codes and words that mean it
_QUOTA_WORDS = ("insufficient_quota", "insufficient_user_quota", "exceeded your current quota", "quota", "balance", "credits")
_NO_CHANNEL_WORDS = ("incorrect model", "no channel", "model_not_found", "does not exist", "not found", "no available channel", "get_adaptor_failed")


def error_for_status(
    status: int,
    raw: bytes,
    headers: Any,
    *,
    content_type: str = "",
    model: str | None = None,
    base_url: str = "",
    secret: Any = None,
) -> ChatError:
    """Build the right :class:`ChatError` for an HTTP status and body (every server string redacted)."""
    body = parse_error_body(raw, content_type)
    server = redact(body.message, secret)
    if server and len(server) > 500:
        server = server[:500] + "…"
    body.code, body.param, body.type = redact(body.code, secret), redact(body.param, secret), redact(body.type, secret)
    rid = redact(_request_id(headers, server), secret)

    retry_after = _retry_after(headers)
    lowered = " ".join(filter(None, [server, body.code, body.type])).lower()
    kw = dict(status=status, server_message=server, code=body.code, request_id=rid, retry_after=retry_after)
    model_txt = f"'{model}'" if model else _("the model")

    if any(w in lowered for w in OUT_OF_CREDIT) or status == 402:
        return QuotaExceeded(_("Your account is out of credit or quota. Top up or use another key."), **kw)
    if status in (401, 403):
        if status == 403 and any(w in lowered for w in _QUOTA_WORDS):
            return QuotaExceeded(_("Your account is out of credit or quota. Top up or use another key."), **kw)
        if status == 401:
            return AuthError(_("The API key was rejected. Check the key (CHATUI_API_KEY) for this gateway."), **kw)
        return AuthError(_("This key is not allowed to use {model} (or this region/IP is blocked).").format(model=model_txt), **kw)
    if status == 404:
        return NotFound(_("Not found: the gateway does not know {model}, or the base URL {url} is wrong.").format(model=model_txt, url=base_url), **kw)
    if status == 503 and any(w in lowered for w in _NO_CHANNEL_WORDS):
        return NotFound(_("The gateway has no route for {model}: check the model id.").format(model=model_txt), **kw)
    if status == 413:
        return TooLarge(_("The request is too large for the server: start a new conversation or shorten the history."), **kw)
    if status == 429:
        wait = _("Try again in {seconds} s.").format(seconds=f"{retry_after:.0f}") if retry_after else _("Wait a moment and retry.")
        return RateLimited(_("Rate limited: too many requests.") + " " + wait, **kw)
    if status in (400, 413, 422) and any(w in lowered for w in ("context_length", "context length", "context window", "maximum context", "too many tokens")):
        return BadRequest(_("The conversation is too long for the context window of {model}: /compact summarises the earlier turns (then /retry), "
                            "or start a new one (ctrl+n), or switch to a model with a longer context.").format(model=model_txt), **kw)
    if status in (400, 422) and ("web_search" in lowered or "tools" == (body.param or "")):
        return BadRequest(_("Web search is not supported by {model} or this gateway: /search off, then send again.").format(model=model_txt), **kw)
    if status in (400, 422):
        if server:
            return BadRequest(_("The server refused the request: {words}").format(words=server), **kw)
        return BadRequest(_("The server refused the request."), **kw)
    if status == 408:
        return TimeoutError_(_("The server timed out waiting for the request."), **kw)
    if status >= 500:
        if body.is_html:
            return ServerError(_("The server had a problem (HTTP {status}) and sent an HTML error page. Retry in a moment.").format(status=status), **kw)
        return ServerError(_("The server had a problem (HTTP {status}) and sent an error. Retry in a moment.").format(status=status), **kw)
    return ChatError(_("Unexpected HTTP {status} from the server.").format(status=status), **kw)

