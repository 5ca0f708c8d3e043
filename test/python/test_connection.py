"""Connection.send_parts: small pieces joined, large ones in one sendmsg, short sends
continued where they stopped."""

import socket
import threading
import unittest

from . import support  # noqa: F401 (puts the runtime on sys.path)
from _wsgi_express.connection import Connection, ConnectionClosed


class ShortSendingSocket:
    """sendmsg() takes at most ``step`` bytes per call, as an interrupted send would."""

    def __init__(self, step):
        self.step = step
        self.received = bytearray()
        self.calls = 0

    def sendmsg(self, buffers):
        self.calls += 1
        room = self.step
        for buffer in buffers:
            take = bytes(buffer[:room])
            self.received += take
            room -= len(take)
            if not room:
                break
        return self.step - room

    def sendall(self, data):
        self.received += data


class SendParts(unittest.TestCase):
    def parts(self):
        return [b"head", b"\x12\x00\x04\x00\x00", bytes(range(256)) * 1024, b"", b"end"]

    def test_large_parts_leave_in_one_sendmsg(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(theirs.close)
        received = bytearray()
        expected = b"".join(self.parts())

        def receive():
            while len(received) < len(expected):
                received.extend(theirs.recv(1 << 20))

        reader = threading.Thread(target=receive)
        reader.start()
        Connection(ours).send_parts(self.parts())
        reader.join(10)
        self.assertEqual(received, expected)

    def test_short_sends_continue_where_they_stopped(self):
        for step in (1000, 4, 262144 + 5):
            with self.subTest(step=step):
                sock = ShortSendingSocket(step)
                connection = Connection.__new__(Connection)  # no reader needed
                connection.sock = sock
                connection.send_parts(self.parts())
                self.assertEqual(sock.received, b"".join(self.parts()))
                self.assertGreater(sock.calls, 1)

    def test_small_parts_are_joined(self):
        sock = ShortSendingSocket(1)
        connection = Connection.__new__(Connection)
        connection.sock = sock
        connection.send_parts([b"a", b"b", b"c"])
        self.assertEqual((sock.received, sock.calls), (b"abc", 0))

    def test_a_broken_socket_is_connection_closed(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        theirs.close()
        with self.assertRaises(ConnectionClosed):
            Connection(ours).send_parts(self.parts())


if __name__ == "__main__":
    unittest.main()
