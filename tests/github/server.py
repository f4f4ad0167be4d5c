"""A real HTTP server on 127.0.0.1 that implements the GitHub REST endpoints mlready uses.

Not a mock of the client: the client under test opens real sockets, parses real
headers and follows real ``Link`` URLs. The server implements

- ``GET  /user`` (a personal token's login; 403 for an Actions/installation token),
- ``GET  /repos/{o}/{r}/issues/{n}/comments`` with ``per_page``/``page`` and ``Link``,
- ``POST /repos/{o}/{r}/issues/{n}/comments``,
- ``PATCH /repos/{o}/{r}/issues/comments/{id}``,
- ``DELETE /repos/{o}/{r}/issues/comments/{id}`` (204, no body),
- ``GET  /repos/{o}/{r}/pulls/{n}`` (head SHA and base branch, to verify PR numbers),

under an optional prefix (``/api/v3`` makes it look like GitHub Enterprise), plus
error injection (`Fault`: a status, a connection dropped without an answer, a delay
that outlasts the client's timeout while the request is still processed, or a
hand-written answer body, or a rendezvous that holds requests until several are in
flight, so concurrent clients interleave as they can against github.com), and a record
of every request so tests can assert what was sent, and that the token shows up
nowhere but the ``Authorization`` header.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}
READ_ONLY = "Resource not accessible by integration"
_DROP = -1  # internal status: close the connection without answering


@dataclass(frozen=True)
class _Raw:
    """An answer body sent exactly as written (malformed or hostile JSON)."""

    raw: bytes


@dataclass
class Fault:
    """Answer the next ``times`` matching requests with ``status`` instead of serving them.

    ``after=True`` serves the request first and then answers with the fault (a 5xx that
    GitHub did process, the case that makes creating a comment non-idempotent).
    ``status=0`` serves the request normally, with the fault's other effects:
    ``delay`` seconds of waiting before the request is processed, ``drop`` to close the
    connection instead of answering, ``body`` to answer with this raw JSON text instead,
    ``headers`` to send these headers too (a ``Link`` that loops, say), ``rendezvous`` to
    wait until as many requests as the barrier's parties have arrived.
    """

    method: str
    path: str  # regex searched in the path (without the query)
    status: int = 0
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    after: bool = False
    drop: bool = False
    delay: float = 0.0
    body: str | None = None
    rendezvous: threading.Barrier | None = None
    query: str | None = None  # also a regex searched in the raw query string, when given


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class State:
    """Everything the fake GitHub knows. Tests seed and inspect it directly."""

    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> identity
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)  # number -> PR
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGitHub:
    """The server plus helpers; use `serve` to run it for the length of a ``with`` block."""

    def __init__(self, prefix: str = "", repo: str = "octo/charlm") -> None:
        self.prefix = prefix.rstrip("/")
        self.repo = repo
        self.state = State()
        self.base_url = ""

    # -- seeding -------------------------------------------------------------------
    def add_token(self, token: str, *, login: str | None = None,
                  read_only: bool = False) -> None:
        """``login=None``: an Actions token (comments by the bot, ``/user`` forbidden)."""
        self.state.tokens[token] = {"login": login, "read_only": read_only}

    def add_comment(self, issue: int, body: str, user: dict[str, Any] | None = None) -> int:
        with self.state.lock:
            cid = self.state.next_id
            self.state.next_id += 1
            self.state.comments[cid] = self._comment(cid, issue, body, user or BOT)
        return cid

    def add_pull(self, number: int, head_sha: str, base: str = "main",
                 head_repo: str | None = None) -> None:
        """A PR whose head is ``head_sha`` in ``head_repo`` (default: this repository)."""
        self.state.pulls[number] = {
            "number": number, "state": "open",
            "head": {"sha": head_sha, "ref": "feature",
                     "repo": {"full_name": head_repo or self.repo}},
            "base": {"ref": base, "repo": {"full_name": self.repo}}}

    def comments_on(self, issue: int) -> list[dict[str, Any]]:
        with self.state.lock:  # by the key: a test may have spoiled a comment's own "id"
            comments = [dict(self.state.comments[cid]) for cid in sorted(self.state.comments)]
        return [c for c in comments if c["issue"] == issue]

    def _comment(self, cid: int, issue: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        return {"id": cid, "issue": issue, "body": body, "user": dict(user),
                "html_url": f"https://github.example/{self.repo}/pull/{issue}#issuecomment-{cid}",
                "created_at": "2026-01-01T00:00:00Z"}

    def writes(self) -> list[Recorded]:
        return [r for r in self.state.requests if r.method in ("POST", "PATCH", "DELETE")]

    def wait_for(self, issue: int, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The comments on ``issue`` once there are ``count`` (a delayed request landing)."""
        deadline = time.monotonic() + timeout
        while len(found := self.comments_on(issue)) != count and time.monotonic() < deadline:
            time.sleep(0.01)
        return found


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    state = fake.state
    repo_path = f"/repos/{fake.repo}"
    routes = [
        ("GET", re.compile(r"^/user$"), "user"),
        ("GET", re.compile(rf"^{repo_path}/issues/(\d+)/comments$"), "list"),
        ("POST", re.compile(rf"^{repo_path}/issues/(\d+)/comments$"), "create"),
        ("PATCH", re.compile(rf"^{repo_path}/issues/comments/(\d+)$"), "update"),
        ("DELETE", re.compile(rf"^{repo_path}/issues/comments/(\d+)$"), "delete"),
        ("GET", re.compile(rf"^{repo_path}/pulls/(\d+)$"), "pull"),
    ]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            state.log.append(format % args)

        def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            payload = b"" if status == 204 else (
                data.raw if isinstance(data, _Raw) else json.dumps(data).encode())
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up waiting (a delayed answer): nothing to do
                self.close_connection = True

        def _handle(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = urllib.parse.parse_qs(url.query)
            status, data, headers = self._route(method, url.path, query, body)
            with state.lock:  # recorded before answering, so a test never races the log
                headers_seen = {k.lower(): v for k, v in self.headers.items()}
                state.requests.append(Recorded(method, url.path, query, headers_seen, body,
                                               status))
            if status == _DROP:
                self.close_connection = True  # no status line at all: RemoteDisconnected
                return
            self._send(status, data, headers)

        def _route(self, method: str, full_path: str, query: dict[str, list[str]],
                   body: Any) -> tuple[int, Any, dict[str, str]]:
            if not full_path.startswith(fake.prefix):
                return 404, {"message": "Not Found"}, {}
            path = full_path[len(fake.prefix):] or "/"
            fault = self._take_fault(method, path, urllib.parse.urlsplit(self.path).query)
            failure: tuple[int, Any, dict[str, str]] | None = None
            if fault is not None:
                if fault.rendezvous is not None:
                    # generous: on a loaded CI machine the second client can start late,
                    # and a broken barrier would let one client list after the other's create
                    fault.rendezvous.wait(timeout=60)
                time.sleep(fault.delay)
                if fault.drop:
                    failure = (_DROP, None, {})
                elif fault.status:
                    data: Any = {"message": fault.message,
                                 "documentation_url": "https://docs.github.com/rest"}
                    if fault.body is not None:
                        data = _Raw(fault.body.encode())
                    failure = (fault.status, data, fault.headers)
            if fault is not None and failure is not None and not fault.after:
                return failure
            auth = self.headers.get("Authorization", "")
            identity = state.tokens.get(auth.removeprefix("Bearer ")) if auth.startswith(
                "Bearer ") else None
            if (self.headers.get("Accept") != "application/vnd.github+json"
                    or self.headers.get("X-GitHub-Api-Version") != "2022-11-28"):
                return 415, {"message": "Unsupported Accept or API version"}, {}
            if identity is None:
                return 401, {"message": "Bad credentials"}, {}
            result: tuple[int, Any, dict[str, str]] = (404, {"message": "Not Found"}, {})
            for route_method, pattern, name in routes:
                match = pattern.match(path)
                if match and route_method == method:
                    number = int(match.group(1)) if match.groups() else 0
                    result = getattr(self, f"_{name}")(identity, number, query, body)
                    break
            # fault.after: the request was processed, then failed; the client cannot tell.
            if failure is None and fault is not None and fault.body is not None:
                return result[0], _Raw(fault.body.encode()), result[2]
            if failure is None and fault is not None and fault.headers:
                return result[0], result[1], {**result[2], **fault.headers}
            return failure if failure is not None else result

        def _take_fault(self, method: str, path: str, query: str) -> Fault | None:
            with state.lock:
                for fault in state.faults:
                    if (fault.times > 0 and fault.method == method and re.search(fault.path, path)
                            and (fault.query is None or re.search(fault.query, query))):
                        fault.times -= 1
                        return fault
            return None

        # -- endpoints: (identity, number, query, body) -> (status, json, headers) -----
        def _user(self, identity: dict[str, Any], _n: int, _q: Any, _b: Any) -> Any:
            if identity["login"] is None:
                return 403, {"message": READ_ONLY}, {}
            return 200, {"login": identity["login"], "type": "User"}, {}

        def _list(self, _i: Any, issue: int, query: dict[str, list[str]], _b: Any) -> Any:
            per_page = min(100, int(query.get("per_page", ["30"])[0]))
            page = int(query.get("page", ["1"])[0])
            items = fake.comments_on(issue)
            chunk = items[(page - 1) * per_page: page * per_page]
            last = max(1, -(-len(items) // per_page))
            links = []
            base = f"{fake.base_url}{repo_path}/issues/{issue}/comments"
            if page < last:
                links.append(f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"')
                links.append(f'<{base}?per_page={per_page}&page={last}>; rel="last"')
            if page > 1:
                links.append(f'<{base}?per_page={per_page}&page={page - 1}>; rel="prev"')
            return 200, chunk, {"Link": ", ".join(links)} if links else {}

        def _author(self, identity: dict[str, Any]) -> dict[str, Any]:
            login = identity["login"]
            return dict(BOT) if login is None else {"login": login, "type": "User"}

        def _create(self, identity: dict[str, Any], issue: int, _q: Any, body: Any) -> Any:
            if identity["read_only"]:
                return 403, {"message": READ_ONLY}, {}
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                return 422, {"message": "Validation Failed"}, {}
            cid = fake.add_comment(issue, body["body"], self._author(identity))
            return 201, state.comments[cid], {}

        def _update(self, identity: dict[str, Any], cid: int, _q: Any, body: Any) -> Any:
            if identity["read_only"]:
                return 403, {"message": READ_ONLY}, {}
            comment = state.comments.get(cid)
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, comment, {}

        def _delete(self, identity: dict[str, Any], cid: int, _q: Any, _b: Any) -> Any:
            if identity["read_only"]:
                return 403, {"message": READ_ONLY}, {}
            with state.lock:
                gone = state.comments.pop(cid, None)
            return (204, None, {}) if gone else (404, {"message": "Not Found"}, {})

        def _pull(self, _i: Any, number: int, _q: Any, _b: Any) -> Any:
            pull = state.pulls.get(number)
            return (200, pull, {}) if pull else (404, {"message": "Not Found"}, {})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


@contextmanager
def serve(prefix: str = "", repo: str = "octo/charlm") -> Iterator[FakeGitHub]:
    """Run a `FakeGitHub` on 127.0.0.1 (a free port) for the ``with`` block."""
    fake = FakeGitHub(prefix, repo)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}{fake.prefix}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
