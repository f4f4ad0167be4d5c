"""A small GitHub REST client on `urllib.request`: the only code in mlready that speaks HTTP.

Why stdlib: the action installs mlready on every run and the hooks must stay light, so
a `requests` dependency buys nothing here. Why this much care for a few calls: the
client runs with a token inside untrusted CI logs, against github.com and GitHub
Enterprise alike, and must survive the API's transient failures without a human.

- Every request carries ``Accept: application/vnd.github+json``,
  ``X-GitHub-Api-Version: 2022-11-28`` and ``Authorization: Bearer <token>``.
- Lists follow the ``Link`` header's ``rel="next"``, but only while it points at the
  configured API origin, so the token is never sent to another host. The token is an
  *unredirected* header: urllib does not forward it when it follows a redirect.
- Transient failures are retried with exponential backoff and jitter: network
  errors, 5xx, 429, and 403 when it signals a (secondary) rate limit. ``retry-after``
  wins; otherwise ``x-ratelimit-remaining: 0`` waits until ``x-ratelimit-reset``;
  otherwise a secondary limit waits at least ``RetryPolicy.secondary_wait``, as GitHub's
  rate-limit documentation asks. Attempts and the total wait are both bounded.
- Errors carry the status and GitHub's ``message``, never headers, and every string
  leaving this module passes through `redact`.
- Nothing the server sends can raise anything but `GitHubError`: an unparsable
  ``retry-after`` falls back to our own backoff, a body nested too deeply for the JSON
  parser is "not JSON", a dropped connection is a network error, and a list longer than
  ``max_pages`` pages, or one whose ``next`` link leads back to a page already read, is
  refused rather than read forever or cut short.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlready import __version__

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
MAX_PAGES = 100  # 10,000 items at per_page=100: far beyond any PR's comments
READ_ONLY_MESSAGE = "Resource not accessible by integration"
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def redact(text: str, *secrets: str) -> str:
    """``text`` with every non-empty secret replaced by ``***`` (defence in depth)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Tests shrink the delays; production keeps GitHub's advice."""

    max_attempts: int = 5
    base_delay: float = 1.0  # first backoff step, doubled per attempt; jitter picks from [d/2, d]
    max_delay: float = 60.0  # cap on one computed (not server-specified) backoff
    max_total_wait: float = 180.0  # give up rather than wait longer than this in total
    secondary_wait: float = 60.0  # wait for a secondary limit that names no time
    settle: float = 1.0  # pause after creating a comment before re-reading the list

    @classmethod
    def scaled(cls, base_delay: float) -> RetryPolicy:
        """The default policy with every delay scaled so the first step is ``base_delay``.

        Tests use a tiny base to exercise the same paths in milliseconds.
        """
        factor = base_delay / cls.base_delay
        return cls(base_delay=base_delay, max_delay=cls.max_delay * factor,
                   max_total_wait=cls.max_total_wait * factor,
                   secondary_wait=cls.secondary_wait * factor, settle=cls.settle * factor)


@dataclass(frozen=True)
class Response:
    """A decoded response: status, lower-cased headers and the parsed JSON body."""

    status: int
    headers: Mapping[str, str]
    data: Any


class GitHubError(Exception):
    """A request that failed for good: the status (0 for network errors) and GitHub's message."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        where = f"{method} {path}"
        super().__init__(f"{where}: HTTP {status}: {message}" if status else f"{where}: {message}")

    @property
    def read_only(self) -> bool:
        """True for the 403 an Actions token gets when it may not write (fork PRs)."""
        return self.status == 403 and READ_ONLY_MESSAGE.lower() in self.message.lower()


class UnexpectedResponse(GitHubError):
    """A request that succeeded but answered with data we cannot act on (a comment without
    an ``id``, a list that is not a list, too many pages).

    Kept apart from a failed call: retrying will not help, and the CLI reports it as an
    internal problem (exit 2) rather than as the API being down (exit 1).
    """


def _seconds(text: str) -> float | None:
    """A header's number of seconds, or None when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def next_link(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    if not link_header:
        return None
    for part in link_header.split(","):
        match = _NEXT_LINK.search(part)
        if match:
            return match.group(1)
    return None


def _message(body: bytes) -> str:
    """GitHub's error ``message`` (plus validation errors), or the start of the body."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return body.decode("utf-8", "replace").strip()[:200] or "no response body"
    if not isinstance(data, dict):
        return str(data)[:200]
    message = str(data.get("message", "")) or "no message"
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        details = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                            for e in errors)
        message = f"{message} ({details})"
    return message


class _Retry(Exception):
    """Internal: a response worth retrying, with the wait the server asked for (if any)."""

    def __init__(self, error: GitHubError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class GitHubClient:
    """Authenticated calls to one GitHub API root (github.com or an Enterprise ``/api/v3``)."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        if not token:
            raise ValueError("a GitHub token is required")
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.waited = 0.0  # total seconds slept in backoff, for logs and tests

    def __repr__(self) -> str:  # never show the token, even in a traceback's locals
        return f"GitHubClient(api_url={self.api_url!r})"

    def redact(self, text: str) -> str:
        """``text`` without this client's token."""
        return redact(text, self._token)

    # -- requests ---------------------------------------------------------------------

    def _url(self, path_or_url: str, params: Mapping[str, Any] | None) -> str:
        if path_or_url.startswith(("http://", "https://")):
            url = path_or_url
        else:
            url = f"{self.api_url}/{path_or_url.lstrip('/')}"
        if params:
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}{urllib.parse.urlencode(params)}"
        return url

    def _display(self, url: str) -> str:
        """The URL as shown in errors: relative to the API root, and token-free."""
        shown = url[len(self.api_url):] if url.startswith(self.api_url) else url
        return self.redact(shown or "/")

    def _once(self, method: str, url: str, body: bytes | None) -> Response:
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", f"mlready/{__version__}")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        # Unredirected: if GitHub answers with a redirect, urllib follows it without the token.
        request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        shown = self._display(url)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as raw:
                payload = raw.read()
                headers = {k.lower(): v for k, v in raw.headers.items()}
                status = int(raw.status)
        except urllib.error.HTTPError as exc:
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            try:
                text = _message(exc.read())
            except (OSError, http.client.HTTPException):
                text = "no response body (connection lost)"
            error = GitHubError(method, shown, exc.code, self.redact(text))
            raise self._classify(error, headers) from None
        except (OSError, http.client.HTTPException) as exc:
            # URLError, timeouts, resets and a connection closed without an answer
            # (RemoteDisconnected, IncompleteRead) alike: the request may or may not
            # have been processed.
            reason = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
            error = GitHubError(method, shown, 0, self.redact(f"network error: {reason}"))
            raise _Retry(error, None) from None
        try:
            data = json.loads(payload) if payload else None
        except (ValueError, RecursionError):
            raise UnexpectedResponse(method, shown, status, "response is not JSON") from None
        return Response(status, headers, data)

    def _classify(self, error: GitHubError, headers: Mapping[str, str]) -> Exception:
        """Wrap retryable failures in `_Retry` with the server's wait; return others as is."""
        status = error.status
        message = error.message.lower()
        rate_limited = (
            status == 429
            or (status == 403 and (
                "retry-after" in headers
                or headers.get("x-ratelimit-remaining") == "0"
                or "rate limit" in message
            ))
        )
        if rate_limited:
            wait = self._server_wait(headers)
            if wait is None and status == 403 and "secondary" in message:
                wait = self.retry.secondary_wait
            return _Retry(error, wait)
        if status >= 500:
            return _Retry(error, self._server_wait(headers))
        return error

    def _server_wait(self, headers: Mapping[str, str]) -> float | None:
        """Seconds the server asked us to wait: ``retry-after`` or the primary limit reset.

        None when the server named no usable time (``retry-after: soon``, ``inf``, a
        malformed date): the caller then falls back to its own jittered backoff.
        """
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            seconds = _seconds(retry_after)
            if seconds is None:
                try:
                    when = email.utils.parsedate_to_datetime(retry_after).timestamp()
                except (TypeError, ValueError, IndexError, OverflowError):
                    return None
                seconds = when - self._clock()
            return max(0.0, seconds) if math.isfinite(seconds) else None
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            reset = _seconds(headers["x-ratelimit-reset"])
            return None if reset is None else max(0.0, reset - self._clock())
        return None

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` with the client's clock, counting it towards ``waited``."""
        self._sleep(seconds)
        self.waited += seconds

    def backoff(self, attempt: int) -> float:
        """The jittered exponential delay before retry number ``attempt`` (1-based)."""
        cap = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return self._rng.uniform(cap / 2, cap)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        retry_server_errors: bool = True,
    ) -> Response:
        """One call, retried as the module docstring says; raises `GitHubError` at the end.

        ``retry_server_errors=False`` is for non-idempotent calls (creating a comment):
        a 5xx may have been processed, so the caller re-reads state before trying again.
        Rate-limit answers are always retried: GitHub did not process those requests.
        """
        url = self._url(path, params)
        data = json.dumps(body).encode() if body is not None else None
        attempt = 1
        while True:
            try:
                return self._once(method, url, data)
            except _Retry as retry:
                error = retry.error
                server_side = error.status >= 500 or error.status == 0
                if (server_side and not retry_server_errors) or attempt >= self.retry.max_attempts:
                    raise error from None
                wait = retry.wait if retry.wait is not None else self.backoff(attempt)
                if self.waited + wait > self.retry.max_total_wait:
                    raise GitHubError(error.method, error.path, error.status,
                                      f"{error.message} (gave up: waiting {wait:.0f}s more would "
                                      f"exceed {self.retry.max_total_wait:.0f}s)") from None
                self.sleep(wait)
                attempt += 1

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                 max_pages: int = MAX_PAGES) -> Iterator[Any]:
        """Every item of a list endpoint, page by page (``per_page=100``), following ``Link``.

        At most ``max_pages`` pages, and never one page twice: a server that keeps linking
        new pages, or links back to a page already read, gets an `UnexpectedResponse`.
        Stopping quietly instead would return a partial list, and a partial list of
        comments is one that may miss ours: the comment client would post a second one.
        """
        query = {"per_page": 100, **(params or {})}
        url: str | None = self._url(path, query)
        origin = _origin(self.api_url)
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise UnexpectedResponse("GET", self._display(url), 0,
                                         "the `Link` header's next page was already read; "
                                         "refusing a list that may be partial")
            if len(seen) >= max_pages:
                raise UnexpectedResponse("GET", self._display(url), 0,
                                         f"more than {max_pages} pages; stopped reading")
            seen.add(url)
            response = self.request("GET", url)
            if not isinstance(response.data, list):
                raise UnexpectedResponse("GET", self._display(url), response.status,
                                         "expected a JSON array")
            yield from response.data
            url = next_link(response.headers.get("link"))
            if url is not None and _origin(url) != origin:
                raise GitHubError("GET", self._display(url), 0,
                                  "pagination link leaves the API host; refusing to send the token")


@dataclass(frozen=True)
class Repo:
    """``owner/name`` as given by ``GITHUB_REPOSITORY``."""

    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> Repo:
        owner, sep, name = text.strip().partition("/")
        if not sep or not owner or not name or "/" in name:
            raise ValueError(f"expected owner/name, got {text!r}")
        return cls(urllib.parse.quote(owner, safe=""), urllib.parse.quote(name, safe=""))

    @property
    def path(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"
