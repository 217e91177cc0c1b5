"""The Responses API client: one streaming POST, model listing, retries.

It speaks HTTP only; what the events mean is :mod:`chatui.turn`'s business.
The key lives in a private attribute, is sent only as a header, and is
scrubbed from anything a server says back.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

import httpx

from chatui import __version__, defaults
from chatui import events as ev
from chatui.errors import (
    ChatError,
    ConnectError,
    NotFound,
    ProtocolError,
    QuotaExceeded,
    RateLimited,
    StreamCut,
    TimeoutError_,
    error_for_status,
    redact,
)
from chatui.i18n import _
from chatui.secret import Secret
from chatui.sse import Frame, FrameDecoder, FrameTooLarge, StreamStats, aiter_frames

_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})
_CONTENT = (ev.Delta, ev.TextDone)
SEEN_SEQS = 8_192  # sequence numbers remembered to drop replayed events


def default_timeout() -> httpx.Timeout:
    """Short connect, long read: reasoning models can be silent for minutes."""
    return httpx.Timeout(
        connect=defaults.CONNECT_TIMEOUT,
        read=defaults.READ_TIMEOUT,
        write=defaults.WRITE_TIMEOUT,
        pool=defaults.POOL_TIMEOUT,
    )


class ResponsesClient:
    """Async client for ``POST {base_url}/responses`` and ``GET {base_url}/models``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | Secret | None = None,
        *,
        timeout: httpx.Timeout | None = None,
        max_retries: int = defaults.MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.__key = Secret.of(api_key)  # masked in any repr or traceback
        self.max_retries = max_retries
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            timeout=timeout or default_timeout(),
            transport=transport,
            headers={"User-Agent": f"chatui/{__version__}"},
            follow_redirects=True,  # GETs only (httpx drops the key on another origin); POSTs never, see _one_stream
        )
        self.last_stats = StreamStats()
        self.retries = 0  # retries made by the last request, for display/tests

    def __repr__(self) -> str:
        return f"ResponsesClient(base_url={self.base_url!r}, key={'set' if self.__key else 'unset'})"

    @property
    def has_key(self) -> bool:
        """Whether an API key is configured."""
        return self.__key is not None

    def _headers(self, stream: bool) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if stream:
            headers["Accept"] = "text/event-stream"
            headers["Cache-Control"] = "no-store"
        if self.__key:
            headers["Authorization"] = f"Bearer {self.__key.reveal()}"
        return headers

    def _scrub(self, text: str | None) -> str | None:
        return redact(text, self.__key)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> ResponsesClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- errors ----------------------------------------------------------------
    def _transport_error(self, exc: Exception, phase: str) -> ChatError:
        host = httpx.URL(self.base_url).host or self.base_url
        text = self._scrub(str(exc)) or type(exc).__name__
        if isinstance(exc, httpx.ConnectTimeout):
            return TimeoutError_(_("Could not connect to {host} within {seconds} s.").format(host=host, seconds=f"{defaults.CONNECT_TIMEOUT:.0f}"), server_message=text)
        if isinstance(exc, httpx.ReadTimeout):
            seconds = f"{self._http.timeout.read or 0:.0f}"
            return TimeoutError_(_("No data from {host} for {seconds} s; the server may be overloaded.").format(host=host, seconds=seconds), server_message=text)
        if isinstance(exc, httpx.TimeoutException):
            return TimeoutError_(_("The request to {host} timed out.").format(host=host), server_message=text)
        if isinstance(exc, httpx.ConnectError):
            lowered = _cause_text(exc).lower()
            if any(w in lowered for w in ("name or service", "nodename", "getaddrinfo", "name resolution", "no address")):
                return ConnectError(_("Cannot find the host {host}: check the base URL and your network.").format(host=host), server_message=text)
            if "refused" in lowered:
                return ConnectError(_("Nothing is listening at {url} (connection refused). Is the server running?").format(url=self.base_url), server_message=text)
            if "ssl" in lowered or "certificate" in lowered:
                return ConnectError(_("A secure connection to {host} could not be made (TLS).").format(host=host), server_message=text)
            return ConnectError(_("Cannot connect to {url}.").format(url=self.base_url), server_message=text)
        if phase == "stream":
            return StreamCut(_("The connection dropped in the middle of the answer; the part that arrived is kept."), server_message=text)
        return ConnectError(_("The connection to {host} failed.").format(host=host), server_message=text)

    async def _error_from_response(self, response: httpx.Response, model: str | None) -> ChatError:
        raw, _whole = await read_capped(response, defaults.MAX_ERROR_BODY)
        return error_for_status(
            response.status_code,
            raw,

            response.headers,
            content_type=response.headers.get("content-type", ""),
            model=model,
            base_url=self.base_url,
            secret=self.__key,
        )

    def _should_retry(self, error: ChatError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None to give up."""
        if attempt >= self.max_retries or isinstance(error, (QuotaExceeded, NotFound)):
            return None
        if error.status is not None and error.status not in _RETRY_STATUSES:
            return None
        if error.status is None and not error.retryable:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= defaults.MAX_RETRY_WAIT else None
        backoff = min(defaults.BACKOFF_CAP, defaults.BACKOFF_BASE * (2**attempt))
        return backoff * (1 - 0.25 * random.random())

    # -- streaming -------------------------------------------------------------
    async def stream_events(self, body: dict[str, Any]) -> AsyncIterator[ev.Event]:
        """POST ``body`` with ``stream: true`` and yield typed events until a terminal one.

        Retries (with backoff, honouring Retry-After) only while no content has
        been yielded. Raises :class:`ChatError` subclasses; closes the HTTP
        response as soon as the consumer stops or is cancelled.
        """
        body = {**body, "stream": True}
        # off the event loop: a body carrying attached files can be tens of megabytes of JSON
        payload = await asyncio.to_thread(_encode_body, body)
        model = body.get("model")
        self.retries = 0
        attempt = 0
        while True:
            content_seen = False
            try:
                # closed with us: a consumer that stops early closes the HTTP response now, not at GC
                async with aclosing(self._one_stream(payload, model)) as events:
                    async for event in events:
                        if not content_seen and isinstance(event, _CONTENT):
                            content_seen = True
                        yield event
                return
            except ChatError as error:
                wait = None if content_seen else self._should_retry(error, attempt)
                if wait is None:
                    raise
                failed = error
            attempt += 1
            self.retries = attempt
            # tell the consumer (a status line) before waiting, which may take a while
            yield ev.Retrying(None, wait, attempt, self.max_retries, failed.status, isinstance(failed, RateLimited))
            await self._sleep(wait)

    async def _one_stream(self, payload: bytes, model: str | None) -> AsyncIterator[ev.Event]:
        stats = self.last_stats = StreamStats()
        url = f"{self.base_url}/responses"
        try:
            # never redirected: the conversation would be sent again to a host the user never chose
            async with self._http.stream("POST", url, content=payload, headers=self._headers(True), follow_redirects=False) as response:
                if 300 <= response.status_code < 400:
                    raise self._redirect_error(response)
                if response.status_code >= 300:
                    raise await self._error_from_response(response, model)
                ctype = response.headers.get("content-type", "").lower()
                if "text/event-stream" in ctype:
                    frames = aiter_frames(response, stats)
                else:
                    frames = self._non_sse_frames(response, stats)
                seen: dict[int, int] = {}
                parse = ev.parse_frame
                key = self.__key.reveal() if self.__key else None
                tail = key[-8:] if key and len(key) >= 12 else key
                async for frame in frames:
                    if tail and tail in frame.data:
                        # the key echoed back (an error, a status, an answer): gone before anything keeps it
                        frame = Frame(frame.event, redact(frame.data, self.__key, head=False) or "")
                    event = parse(frame, stats)
                    if event is None:
                        continue
                    seq = event.seq
                    if seq is not None:
                        digest = hash(frame.data)
                        if seen.get(seq) == digest:
                            stats.duplicates += 1
                            continue
                        seen[seq] = digest
                        if len(seen) > SEEN_SEQS:
                            # a replay repeats recent events: the older half is forgotten, so an
                            # endless stream does not grow this without bound (dicts keep order)
                            for old in list(seen)[: SEEN_SEQS // 2]:
                                del seen[old]
                    if type(event) is ev.StreamError and event.message:
                        event.message = self._scrub(event.message) or ""
                    yield event
                    if type(event) is ev.StreamError or type(event) is ev.StreamDone:
                        return
                    if type(event) is ev.Lifecycle and event.terminal:  # type: ignore[attr-defined]
                        return
        except FrameTooLarge as exc:
            raise ProtocolError(_("The server sent an event too large to handle."), server_message=str(exc)) from None
        except httpx.HTTPError as exc:
            phase = "stream" if stats.bytes else "connect"
            raise self._transport_error(exc, phase) from None

    async def _non_sse_frames(self, response: httpx.Response, stats: StreamStats) -> AsyncIterator[Frame]:
        """A 200 that is not an event stream: a whole Response, an error, or unlabelled SSE."""
        raw = b""
        async for chunk in response.aiter_bytes():
            raw += chunk
            if len(raw) > defaults.MAX_EVENT_BYTES:
                raise FrameTooLarge("response body too large")
        text = raw.decode("utf-8", "replace").lstrip("\ufeff")
        stats.bytes = len(text)
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                data = json.loads(stripped)
            except ValueError:
                data = None
            if isinstance(data, dict):
                for frame in _frames_from_response_object(data):
                    yield frame
                return
        if not stripped:
            return
        decoder = FrameDecoder(stats)
        for frame in decoder.feed(text) + decoder.close():
            yield frame

    def _redirect_error(self, response: httpx.Response) -> ChatError:
        """A POST answered with a redirect: say where, and that nothing was re-sent there."""
        where = self._scrub(response.headers.get("location", "")) or "?"
        return ChatError(
            _("The gateway redirected the request to {where}; chatui does not send the conversation to an address you did not choose. "
              "If that is the right gateway, set the base URL to it.").format(where=where[:200]),
            status=response.status_code,
        )

    # -- models ----------------------------------------------------------------
    async def list_models(self) -> list[str]:
        """Model ids from ``GET {base_url}/models`` (tolerant of every known shape)."""
        try:
            async with self._http.stream("GET", f"{self.base_url}/models", headers=self._headers(False)) as response:
                limit = defaults.MAX_ERROR_BODY if response.status_code >= 300 else defaults.MAX_MODEL_LIST_BYTES
                raw, whole = await read_capped(response, limit)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "connect") from None
        if response.status_code >= 300:
            raise error_for_status(
                response.status_code,
                raw,
                response.headers,
                content_type=response.headers.get("content-type", ""),
                base_url=self.base_url,
                secret=self.__key,
            )
        if not whole:
            raise ProtocolError(_("The model list is larger than {size} MB: is the base URL right?").format(size=defaults.MAX_MODEL_LIST_BYTES >> 20))
        text = self._scrub(raw.decode("utf-8", "replace").lstrip("\ufeff")) or ""
        try:
            return parse_model_list(json.loads(text))
        except (ValueError, RecursionError):
            raise ProtocolError(_("The model list is not JSON: is the base URL right?")) from None


async def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a body, decompressed as they come (a gzip bomb stops at the cap); and whether that was all."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], False
    return b"".join(chunks), True


def _encode_body(body: dict[str, Any]) -> bytes:

    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _cause_text(exc: BaseException) -> str:
    """The messages and types of an exception and its causes (async errors hide the OS one)."""
    parts = []
    seen = 0
    node: BaseException | None = exc
    while node is not None and seen < 8:
        parts.append(f"{type(node).__name__}: {node}")
        if isinstance(node, ConnectionRefusedError):
            parts.append("connection refused")
        node = node.__cause__ or node.__context__
        seen += 1
    return " | ".join(parts)


def parse_model_list(data: Any) -> list[str]:
    """Extract sorted unique model ids from a /models body."""
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        entries = data.get("models") if isinstance(data, dict) and isinstance(data.get("models"), list) else []
    ids = []
    for entry in entries or ():
        if isinstance(entry, str):
            ids.append(entry)
        elif isinstance(entry, dict):
            for key in ("id", "model_id", "name", "model"):
                value = entry.get(key)
                if isinstance(value, str) and value:
                    ids.append(value)
                    break
    return sorted(set(ids))


def _frames_from_response_object(data: dict[str, Any]) -> list[Frame]:
    """Turn a non-streamed JSON body into frames the stream parser understands."""
    if data.get("object") == "response" or "output" in data or data.get("status") in ("completed", "incomplete", "failed"):
        frames = []
        for index, item in enumerate(data.get("output") or ()):
            frames.append(Frame("", json.dumps({"type": "response.output_item.done", "output_index": index, "item": item})))
        status = data.get("status") or "completed"
        kind = status if status in ("completed", "incomplete", "failed") else "completed"
        frames.append(Frame("", json.dumps({"type": f"response.{kind}", "response": data})))
        return frames
    if "error" in data or data.get("type") == "error":
        return [Frame("error", json.dumps(data))]
    return [Frame("", json.dumps(data))]
