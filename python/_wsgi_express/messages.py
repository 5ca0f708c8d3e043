"""Message layer of the daemon protocol: REQUEST_HEAD, ENVIRON_BASE and RESPONSE_HEAD
(docs/protocol.md), as src/protocol/messages.ts writes and reads them.

The environ reaches a worker in two parts: the keys every request on a listener shares,
once per connection (ENVIRON_BASE, JSON), and each request's own keys in its head
(latin-1 text, NUL-separated). A head is parsed with one ``str.split`` and the dict is
built in C, which costs a fraction of ``json.loads`` on the whole environ.
"""

import json

from .input import ProtocolViolation

HEAD_FIELDS = 5  # id, base, requestStart, queueStart, expectContinue; then key/value pairs


class RequestHead:
    __slots__ = ("id", "environ", "request_start", "queue_start", "expect_continue")

    def __init__(self, request_id, environ, request_start, queue_start, expect_continue):
        self.id = request_id
        self.environ = environ
        self.request_start = request_start
        self.queue_start = queue_start
        self.expect_continue = expect_continue


class EnvironBases:
    """The ENVIRON_BASE messages one connection has received, by id."""

    def __init__(self):
        self._bases = {}

    def add(self, payload):
        try:
            message = json.loads(payload)
        except ValueError:
            raise ProtocolViolation("ENVIRON_BASE is not valid JSON") from None
        if type(message) is not dict:
            message = {}
        environ = message.get("environ")
        if type(message.get("base")) is not int or type(environ) is not dict or not all(
                type(value) is str for value in environ.values()):
            raise ProtocolViolation("ENVIRON_BASE needs a base number and an environ "
                                    "of strings")
        self._bases[str(message["base"])] = environ

    def decode_head(self, payload):
        parts = payload.decode("latin-1").split("\0")
        if len(parts) < HEAD_FIELDS or len(parts) % 2 == 0:
            raise ProtocolViolation("REQUEST_HEAD needs %d fields, then key/value pairs"
                                    % HEAD_FIELDS)
        request_id, base_id, request_start, queue_start, expect_continue = parts[:5]
        base = self._bases.get(base_id)
        if base is None:
            raise ProtocolViolation("REQUEST_HEAD names environ base %r, which this "
                                    "connection was never sent" % base_id)
        environ = base.copy()
        environ.update(zip(parts[5::2], parts[6::2]))
        try:
            starts = float(request_start), float(queue_start)
        except ValueError:
            raise ProtocolViolation("REQUEST_HEAD start times must be numbers") from None
        return RequestHead(request_id, environ, starts[0], starts[1], expect_continue == "1")


def encode_response_head(status, headers):
    """RESPONSE_HEAD: latin-1 text, the status then header names and values, NUL-separated.
    The caller has refused NUL and anything beyond latin-1 (headers.py)."""
    parts = [status]
    for name, value in headers:
        parts += (name, value)
    return "\0".join(parts).encode("latin-1")


def encode_environ_base(base, environ):
    """The front end's ENVIRON_BASE payload (for tests and the benchmark harness)."""
    return json.dumps({"base": base, "environ": environ}).encode("utf-8")


def encode_request_head(request_id, base, environ, request_start=0.0, queue_start=0.0,
                        expect_continue=False):
    """The front end's REQUEST_HEAD payload (for tests and the benchmark harness)."""
    parts = [request_id, str(base), repr(float(request_start)), repr(float(queue_start)),
             "1" if expect_continue else "0"]
    for key, value in environ.items():
        parts += (key, value)
    return "\0".join(parts).encode("latin-1")
