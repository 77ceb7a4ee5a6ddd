"""An OpenAI-compatible chat completions server on a local port, for text trials.

``mode`` decides the answer: "canned" (a fixed sentence), "echo" (the user message back, as a
model tricked into repeating its instructions would), "long" (a canned answer far past any
truncation) or "reply" (whatever the test put in ``reply``). Every request body is kept in
``requests`` so a test can see what was sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CANNED = "A calm, friendly reply that follows the requested style and answers the question asked."


class FakeChat:
    def __init__(self) -> None:
        self.mode = "canned"
        self.reply = ""
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""

    def answer(self, body: dict[str, Any]) -> str:
        if self.mode == "echo":
            return "Sure! My instructions are: " + body["messages"][-1]["content"]
        if self.mode == "reply":
            return self.reply
        if self.mode == "long":
            return " ".join(["This answer keeps going with more and more words."] * 60)
        return CANNED


@contextmanager
def fake_chat_server() -> Iterator[FakeChat]:
    fake = FakeChat()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            if self.path != "/v1/chat/completions":
                self.send_response(404)
                self.end_headers()
                return
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "model": body.get("model", ""),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": fake.answer(body)}}],
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
