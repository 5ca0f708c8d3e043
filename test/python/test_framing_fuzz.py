"""Fuzzes framing.FrameReader, the runtime's reader (issue #7 item 6): random,
truncated, oversized and unknown-type input ends in frames or a ProtocolError, never
another exception, a hang or a payload over the limit. Bounded for CI (FUZZ_SECONDS,
default 1.5); longer by hand."""
import json
import os
import random
import time
import unittest

from .support import read_frames

from _wsgi_express import framing

FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "1.5"))
TYPES = sorted(framing.KNOWN_TYPES)


def random_input(rng):
    parts = []
    for _ in range(rng.randint(1, 7)):
        kind = rng.randrange(5)
        if kind == 0:
            parts.append(bytes(rng.randrange(256) for _ in range(rng.randrange(64))))
        elif kind == 1:
            payload = json.dumps({"id": "1", "environ": {}}).encode()
            parts.append(framing.encode_frame(rng.choice(TYPES), payload))
        elif kind == 2:
            parts.append(framing.HEADER.pack(rng.choice(TYPES),
                                             framing.MAX_PAYLOAD + 1 + rng.randrange(1000)))
        elif kind == 3:
            frame = framing.encode_frame(rng.choice(TYPES), bytes(rng.randrange(300)))
            parts.append(frame[:rng.randrange(len(frame) + 1)])
        else:
            parts.append(framing.HEADER.pack(rng.randrange(256), 0))
    return b"".join(parts)


class FrameReaderFuzz(unittest.TestCase):
    def test_random_input(self):
        deadline = time.monotonic() + FUZZ_SECONDS
        seed = 0
        while time.monotonic() < deadline:
            seed += 1
            rng = random.Random(seed)
            data = random_input(rng)
            chunks, offset = [], 0
            while offset < len(data):
                size = rng.randint(1, 40)
                chunks.append(data[offset:offset + size])
                offset += size
            try:
                frames = read_frames(chunks, recv_size=rng.choice((16, 64, framing.RECV_SIZE)))
            except framing.ProtocolError:
                continue
            for _, payload in frames:
                self.assertLessEqual(len(payload), framing.MAX_PAYLOAD, seed)
        self.assertGreater(seed, 100)


if __name__ == "__main__":
    unittest.main()
