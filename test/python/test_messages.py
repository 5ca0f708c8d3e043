"""REQUEST_HEAD, ENVIRON_BASE, RESPONSE_HEAD and REQUEST_BODY_FILE against the vectors
shared with src/protocol/messages.ts (test/vectors/messages.json)."""

import json
import os
import unittest

from .support import ROOT
from _wsgi_express.framing import decode_body_file
from _wsgi_express.input import ProtocolViolation
from _wsgi_express.messages import (
    EnvironBases, encode_environ_base, encode_request_head, encode_response_head)

with open(os.path.join(ROOT, "test", "vectors", "messages.json")) as vectors_file:
    VECTORS = json.load(vectors_file)


def connection_bases():
    bases = EnvironBases()
    bases.add(encode_environ_base(1, {}))
    bases.add(encode_environ_base(7, {}))
    return bases


class RequestHeads(unittest.TestCase):
    def test_writes_the_vectors(self):
        for vector in VECTORS["requestHeads"]:
            with self.subTest(vector["name"]):
                payload = encode_request_head(
                    vector["id"], vector["base"], dict(vector["environ"]),
                    vector["requestStart"], vector["queueStart"], vector["expectContinue"])
                self.assertEqual(payload.hex(), vector["payload"])

    def test_reads_the_vectors(self):
        for vector in VECTORS["requestHeads"]:
            with self.subTest(vector["name"]):
                head = connection_bases().decode_head(bytes.fromhex(vector["payload"]))
                self.assertEqual(head.id, vector["id"])
                self.assertEqual(head.environ, dict(vector["environ"]))
                self.assertEqual(head.request_start, vector["requestStart"])
                self.assertEqual(head.queue_start, vector["queueStart"])
                self.assertIs(head.expect_continue, vector["expectContinue"])

    def test_refuses_bad_heads(self):
        for vector in VECTORS["badRequestHeads"]:
            with self.subTest(vector["name"]):
                with self.assertRaisesRegex(ProtocolViolation, vector["error"]):
                    connection_bases().decode_head(bytes.fromhex(vector["payload"]))

    def test_the_base_is_copied_and_request_keys_win(self):
        bases = EnvironBases()
        bases.add(encode_environ_base(3, {"DOCUMENT_ROOT": "/srv", "wsgi.url_scheme": "http"}))
        first = bases.decode_head(encode_request_head("1", 3, {"wsgi.url_scheme": "https"}))
        first.environ["added.by.the.app"] = "x"
        second = bases.decode_head(encode_request_head("2", 3, {}))
        self.assertEqual(first.environ, {"DOCUMENT_ROOT": "/srv", "wsgi.url_scheme": "https",
                                         "added.by.the.app": "x"})
        self.assertEqual(second.environ, {"DOCUMENT_ROOT": "/srv", "wsgi.url_scheme": "http"})

    def test_refuses_a_bad_base(self):
        for payload in (b"{", b"[]", b'{"base": "1", "environ": {}}',
                        b'{"base": 1, "environ": {"K": 1}}'):
            with self.subTest(payload):
                with self.assertRaisesRegex(ProtocolViolation, "ENVIRON_BASE"):
                    EnvironBases().add(payload)


class ResponseHeads(unittest.TestCase):
    def test_writes_the_vectors(self):
        for vector in VECTORS["responseHeads"]:
            with self.subTest(vector["name"]):
                headers = [tuple(header) for header in vector["headers"]]
                payload = encode_response_head(vector["status"], headers)
                self.assertEqual(payload.hex(), vector["payload"])



class BodyFiles(unittest.TestCase):
    def test_reads_the_vectors(self):
        for vector in VECTORS["bodyFiles"]:
            with self.subTest(vector["name"]):
                self.assertEqual(decode_body_file(bytes.fromhex(vector["payload"])),
                                 (vector["path"], vector["length"]))


if __name__ == "__main__":
    unittest.main()
