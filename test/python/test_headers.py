"""headers.py's checks, and the cache of statuses and header lines found valid: a
cached line must answer exactly as a fresh check would."""

import unittest

from . import support  # noqa: F401 (puts the runtime on sys.path)
from _wsgi_express import headers
from _wsgi_express.headers import check_headers, check_status


class CachedChecks(unittest.TestCase):
    def test_the_same_answer_the_second_time(self):
        for _ in range(2):
            self.assertEqual(check_headers([("Content-Type", "text/plain"),
                                            ("Content-Length", "12")]), 12)
            self.assertEqual(check_status("200"), "200 OK")
            self.assertEqual(check_status("404 Not Found"), "404 Not Found")

    def test_a_refused_line_is_refused_every_time(self):
        for _ in range(2):
            with self.assertRaises(ValueError):
                check_headers([("X-Bad", "a\r\nb")])
            with self.assertRaises(ValueError):
                check_headers([("Bad Name", "x")])
            with self.assertRaises(ValueError):
                check_status("2000 OK")

    def test_shapes_that_are_not_str_pairs_are_refused(self):
        for bad in ([["X-A", "b"]], [("X-A", ["b"])], [("X-A", "b", "c")], [("X-A", 1)]):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    check_headers(bad)
        with self.assertRaises(TypeError):
            check_headers((("X-A", "b"),))
        with self.assertRaises(TypeError):
            check_status(b"200 OK")

    def test_the_last_content_length_wins_even_unparsable(self):
        self.assertEqual(check_headers([("Content-Length", "5"), ("content-length", "7")]), 7)
        self.assertIsNone(check_headers([("Content-Length", "5"),
                                         ("Content-Length", "seven")]))
        self.assertIsNone(check_headers([("Content-Length", "seven")]))

    def test_cookies_and_long_values_are_checked_but_not_kept(self):
        long_value = "x" * (headers.CACHED_VALUE_SIZE + 1)
        check_headers([("Set-Cookie", "session=abc"), ("X-Long", long_value),
                       ("X-Short", "kept")])
        self.assertNotIn(("Set-Cookie", "session=abc"), headers._valid_headers)
        self.assertNotIn(("X-Long", long_value), headers._valid_headers)
        self.assertIn(("X-Short", "kept"), headers._valid_headers)

    def test_past_the_limit_lines_are_checked_and_not_kept(self):
        saved = headers.CACHE_LIMIT
        headers.CACHE_LIMIT = len(headers._valid_headers)
        try:
            self.assertEqual(check_headers([("X-Unkept", "1"), ("Content-Length", "3")]), 3)
            self.assertNotIn(("X-Unkept", "1"), headers._valid_headers)
            with self.assertRaises(ValueError):
                check_headers([("X-Unkept", "\x00")])
        finally:
            headers.CACHE_LIMIT = saved


if __name__ == "__main__":
    unittest.main()
