"""A local stand-in for the WeChat Work / DingTalk webhook endpoint: a real HTTP server on
127.0.0.1 (a random port, in a thread) that records every request and answers from a script."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from dudao.webhooks.models import Robot

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: dict


@dataclass
class Endpoint:
    port: int
    requests: list = field(default_factory=list)
    answers: list = field(default_factory=list)  # (status, JSON body) in turn; then OK

    def url(self, kind="wecom", key="test-key-123456"):
        if kind == "dingtalk":
            return f"http://127.0.0.1:{self.port}/robot/send?access_token={key}"
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def answer(self, *answers):
        self.answers.extend(answers)


@pytest.fixture
def endpoint(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.PUBLIC_BASE_URL = "https://dudao.example.cn"
    state = Endpoint(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            state.requests.append(
                Received(
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers),
                    json.loads(raw.decode("utf-8")),
                )
            )
            status, body = state.answers.pop(0) if state.answers else OK
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def robot_of(world, endpoint):
    """Make a robot of county A's office straight in the database (set-up only)."""

    def make(kind="wecom", events=None, office=None, key="test-key-123456", **fields):
        office = office or world.office
        return Robot.all_objects.create(
            office=office,
            kind=kind,
            name=fields.pop("name", f"{kind}-{Robot.all_objects.count()}"),
            url=fields.pop("url", endpoint.url(kind, key)),
            events=list(Robot.Event.values) if events is None else events,
            **fields,
        )

    return make
