"""Refusing an over-long question before its body is read: an ASGI middleware for the
question routes, and the marker the page sends instead of a paste too long to be one.

A question is at most MAX_QUESTION_CHARS (2,000) characters, at most ~36 KB of JSON even
with every character escaped; a request to a question route declaring a larger body is
answered 413 with a JSON message at once, so a pasted document costs neither the upload
of its body into Gradio nor its parsing. The page does not send such a paste at all: its
script replaces it with `TOO_LONG_MARK` and the length (`too_long_js`), which the server
answers with the usual refusal. No gradio import.
"""

from __future__ import annotations

import json
import re
from typing import Any, Awaitable, Callable

# Routes that carry a question: the answer API (direct and queued) and the page's events.
QUESTION_PATHS = ("/gradio_api/run/answer", "/gradio_api/call/answer", "/gradio_api/queue/join")
# Bytes a question request may declare (a 2,000-character question is far below it).
MAX_BODY_BYTES = 256 * 1024
# What the page sends in place of a question over the limit, followed by its length.
TOO_LONG_MARK = "\u2063qa-too-long:"
_MARK_RE = re.compile(re.escape(TOO_LONG_MARK) + r"(\d{1,12})")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def too_long_body_message(size: int) -> str:
    """The 413 message of a question request declaring `size` bytes."""
    return (f"问题过长（请求 {size} 字节），请限制在 2000 字以内。/ "
            f"The question is too long ({size} bytes); the limit is 2000 characters.")


class QuestionBodyLimit:
    """ASGI middleware: a POST to a question route declaring more than `limit` bytes is
    answered 413 (a JSON {"error": ...}) without reading its body.

    Args:
        app: the ASGI app it wraps.
        limit: the largest body allowed.
        paths: the routes checked (with or without a trailing slash).
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int = MAX_BODY_BYTES,
                 paths: tuple[str, ...] = QUESTION_PATHS) -> None:
        self.app = app
        self.limit = limit
        self.paths = {p.rstrip("/") for p in paths}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http" and scope.get("method") == "POST" and \
                str(scope.get("path", "")).rstrip("/") in self.paths:
            size = _content_length(scope)
            if size is not None and size > self.limit:
                body = json.dumps({"error": too_long_body_message(size)}, ensure_ascii=False).encode("utf-8")
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def marked_length(question: str) -> int | None:
    """The length the page reported for a question too long to send, else None."""
    m = _MARK_RE.fullmatch((question or "").strip())
    return int(m.group(1)) if m else None


def too_long_js(limit: int) -> str:
    """The page script run before a question is sent: a question over `limit` characters
    is replaced by TOO_LONG_MARK and its length (the server answers with the refusal)."""
    mark = json.dumps(TOO_LONG_MARK)
    return f"(q) => (typeof q === 'string' && q.trim().length > {int(limit)}) ? {mark} + q.trim().length : q"
