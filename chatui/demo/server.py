"""The scripted Responses server: real HTTP over a real socket on 127.0.0.1.

``ScriptedServer().start()`` runs it in a background thread; ``python -m
chatui.demo.server`` runs it in the foreground. Each model id names a
scenario (:mod:`chatui.demo.scenarios`); every request is recorded so tests
can assert on exactly what a client sent.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chatui.demo import catalogue as demo_catalogue
from chatui.demo import scenarios


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: the app owns the terminal."""

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _record(self, body: Any) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})

    def _authorised(self) -> bool:
        key = self.server.owner.api_key
        return key is None or self.headers.get("Authorization") == f"Bearer {key}"

    def _overridden(self, body: Any) -> bool:
        """A test's own reply for this request (a hostile server), if it set one."""
        override = self.server.owner.override
        reply = override(self.command, self.path, body) if override is not None else None
        if reply is not None:
            self._send(reply)
        return reply is not None

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        """/v1/models."""
        self._record(None)
        if self._overridden(None):
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/api/v1/models":  # AIHubMix's public catalogue: no key needed
            self._send_json(demo_catalogue.aihubmix())
        elif path.startswith("/openrouter/") and path.endswith("/models"):  # a base URL of /openrouter/v1: OpenRouter's shape
            self._send_json(demo_catalogue.openrouter())
        elif not self._authorised():
            self._send(scenarios.unauthorized({}, {}, ""))
        elif path.endswith("/models"):
            ids = list(scenarios.DEMO_MODELS) + [m for m in scenarios.SCENARIOS if m not in scenarios.DEMO_MODELS]
            data = {"object": "list", "data": [{"id": m, "object": "model", "created": 1789700000, "owned_by": "chatui-demo"} for m in ids]}
            self._send(scenarios.Reply(200, {"Content-Type": "application/json"}, json.dumps(data).encode()))
        else:
            self._send(scenarios._error(404, f"No route {self.path}", "not_found_error"))

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        """/v1/responses."""
        raw = self._read_body()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        self._record(body)
        if self._overridden(body):
            return
        if not self.path.rstrip("/").endswith("/responses"):
            self._send(scenarios._error(404, f"No route {self.path}", "not_found_error"))
            return
        if not isinstance(body, dict):
            self._send(scenarios._error(400, "The body is not valid JSON."))
            return
        if not self._authorised():
            self._send(scenarios.unauthorized(body, {}, ""))
            return
        model = body.get("model") or ""
        scenario = scenarios.find(str(model))
        if scenario is None:
            reply = scenarios.unknown_model(str(model))
        else:
            with self.server.owner.lock:
                state = self.server.owner.state
            reply = scenario(body, state, str(model))
            if not body.get("stream"):
                reply = scenarios.non_stream(reply)
        self._send(reply)

    def _send_json(self, data: Any) -> None:
        self._send(scenarios.Reply(200, {"Content-Type": "application/json"}, json.dumps(data).encode()))

    def _send(self, reply: scenarios.Reply) -> None:
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if not any(k.lower() == "x-request-id" for k in reply.headers):
            self.send_header("x-request-id", f"req_demo_{len(self.server.owner.requests)}")
        self.send_header("Connection", "close")
        self.close_connection = True
        if reply.body is not None:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        pace = self.server.owner.pace
        try:
            for data, pause in reply.chunks:
                if pause and pace:
                    time.sleep(pause * pace)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if self.server.owner.stopping.is_set():
                    return
            if reply.drop:
                # Tear the connection down without the closing chunk: a real cut.
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            # the client went away (cancelled): allowed, and counted for tests
            with self.server.owner.lock:
                self.server.owner.disconnects += 1


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: ScriptedServer


class ScriptedServer:
    """A Responses API server with scripted scenarios, on 127.0.0.1."""

    def __init__(self, port: int = 0, *, api_key: str | None = None, pace: float = 1.0) -> None:
        self.api_key = api_key
        self.pace = pace
        self.requests: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}
        self.disconnects = 0
        # tests: (method, path, body) -> a Reply to send instead of the scripted one, or None
        self.override: Any = None

        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give a client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="chatui-demo-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def posts(self) -> list[dict[str, Any]]:
        """The bodies of the POST requests received so far."""
        with self.lock:
            return [r["body"] for r in self.requests if r["method"] == "POST"]

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the scripted server in the foreground."""
    parser = argparse.ArgumentParser(prog="python -m chatui.demo.server", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pace", type=float, default=1.0, help="multiply every pause (0 = as fast as possible)")
    parser.add_argument("--api-key", default=None, help="require this Bearer key")
    args = parser.parse_args(argv)
    server = ScriptedServer(args.port, api_key=args.api_key, pace=args.pace)
    print(f"chatui scripted server on {server.base_url}", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
