"""Connection's writes: small pieces joined, large ones in one sendmsg, short sends
continued where they stopped, and nothing written after a frame left short."""

import os
import socket
import tempfile
import threading
import unittest
from unittest import mock

from . import support  # noqa: F401 (puts the runtime on sys.path)
from _wsgi_express.connection import Connection, ConnectionClosed


class Interrupted(Exception):
    """Stands for mod_wsgi.RequestTimeout, which lands between any two bytecodes."""


class ShortSendingSocket:
    """sendmsg() takes at most ``step`` bytes per call, as an interrupted send would;
    with ``interrupt_at``, that call raises Interrupted instead."""

    def __init__(self, step, interrupt_at=None):
        self.step = step
        self.interrupt_at = interrupt_at
        self.received = bytearray()
        self.calls = 0

    def sendmsg(self, buffers):
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise Interrupted()
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
                connection = Connection(sock)
                connection.send_parts(self.parts())
                self.assertEqual(sock.received, b"".join(self.parts()))
                self.assertGreater(sock.calls, 1)

    def test_small_parts_are_joined(self):
        sock = ShortSendingSocket(1)
        connection = Connection(sock)
        connection.send_parts([b"a", b"b", b"c"])
        self.assertEqual((sock.received, sock.calls), (b"abc", 0))

    def test_a_broken_socket_is_connection_closed(self):
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        theirs.close()
        with self.assertRaises(ConnectionClosed):
            Connection(ours).send_parts(self.parts())


class InterruptedWrites(unittest.TestCase):
    """Once an exception has left a frame short, the front end would read any later
    bytes as the rest of that frame (another request's response, say), so there are
    none: the worker closes the connection instead."""

    def test_nothing_follows_a_frame_cut_between_two_sendmsg_calls(self):
        sock = ShortSendingSocket(1000, interrupt_at=2)
        connection = Connection(sock)
        with self.assertRaises(Interrupted):
            connection.send_parts([b"\x12\x00\x05\x00\x00", b"x" * 327680])
        sent = bytes(sock.received)
        with self.assertRaises(ConnectionClosed):
            connection.send(b"\x14\x00\x00\x00\x00")
        with self.assertRaises(ConnectionClosed):
            connection.send_parts([b"more"])
        self.assertEqual(sock.received, sent)

    def test_nothing_follows_a_file_frame_cut_after_its_header(self):
        with tempfile.TemporaryFile() as handle:
            handle.write(b"y" * 4096)
            handle.flush()
            sock = ShortSendingSocket(1000)
            connection = Connection(sock)
            with mock.patch.object(os, "pread", side_effect=Interrupted()) as pread:
                with self.assertRaises(Interrupted):
                    connection.send_file([b"\x12\x00\x00\x10\x00"], handle.fileno(), 0,
                                         4096, use_sendfile=False)
            self.assertEqual(pread.call_count, 1)
            self.assertEqual(bytes(sock.received), b"\x12\x00\x00\x10\x00")
            with self.assertRaises(ConnectionClosed):
                connection.send(b"\x14\x00\x00\x00\x00")
            self.assertEqual(bytes(sock.received), b"\x12\x00\x00\x10\x00")

    def test_a_whole_send_leaves_the_connection_usable(self):
        sock = ShortSendingSocket(1000)
        connection = Connection(sock)
        connection.send_parts([b"\x12\x00\x05\x00\x00", b"x" * 327680])
        connection.send(b"\x13\x00\x00\x00\x00")
        self.assertEqual(len(sock.received), 5 + 327680 + 5)


if __name__ == "__main__":
    unittest.main()


class Open(unittest.TestCase):
    """--send-buffer-size and --receive-buffer-size reach the worker connections."""

    def listening(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, directory)
        path = os.path.join(directory, "front.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        self.addCleanup(os.unlink, path)
        self.addCleanup(server.close)
        return path

    def buffers(self, connection):
        self.addCleanup(connection.sock.close)
        sock = connection.sock
        return (sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))

    def test_sizes_given_are_set_before_connecting(self):
        path = self.listening()
        default_send, default_receive = self.buffers(Connection.open(path))
        # Linux doubles what it is given (for its own bookkeeping).
        send, receive = self.buffers(Connection.open(path, 4608, 5120))
        self.assertEqual((send, receive), (2 * 4608, 2 * 5120))
        self.assertNotEqual((send, receive), (default_send, default_receive))

    def test_zero_keeps_the_system_default(self):
        path = self.listening()
        fresh = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(fresh.close)
        system = (fresh.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                  fresh.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
        self.assertEqual(self.buffers(Connection.open(path, 0, 0)), system)
