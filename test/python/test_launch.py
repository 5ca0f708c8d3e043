"""The launch settings in WSGI_EXPRESS_DAEMON (protocol.md, "Starting a daemon")."""

import json
import unittest

from .support import make_config
from _wsgi_express.launch import ENV_VAR, LaunchError, parse_launch, take_launch_config


class Launch(unittest.TestCase):
    def test_defaults_and_null_entry_point(self):
        config = parse_launch(json.dumps({"socket": "/s", "token": "t", "entryPoint": None}))
        self.assertEqual((config.threads, config.processes, config.multiprocess),
                         (5, 1, False))
        self.assertEqual((config.applicationType, config.callableObject),
                         ("script", "application"))
        self.assertIsNone(config.entryPoint)
        self.assertEqual(config.pythonPaths, ())
        self.assertEqual((config.sendBufferSize, config.receiveBufferSize), (0, 0))

    def test_errors_name_the_setting_and_the_value(self):
        cases = [
            ({"token": "t"}, "'socket' is required"),
            ({"socket": "/s", "token": "t", "threads": "5"}, "'threads' must be an integer"),
            ({"socket": "/s", "token": "t", "threads": 0}, "at least 1"),
            ({"socket": "/s", "token": "t", "applicationType": "egg"}, "'egg'"),
            ({"socket": "/s", "token": "t", "pythonPaths": "/a"}, "list of directories"),
        ]
        for launch, wording in cases:
            with self.subTest(wording):
                with self.assertRaises(LaunchError) as caught:
                    parse_launch(json.dumps(launch))
                self.assertIn(wording, str(caught.exception))
        with self.assertRaises(LaunchError):
            parse_launch("{not json")

    def test_the_variable_is_removed(self):
        environ = {ENV_VAR: json.dumps({"socket": "/s", "token": "t"}), "OTHER": "1"}
        self.assertEqual(take_launch_config(environ).socket, "/s")
        self.assertEqual(environ, {"OTHER": "1"})
        with self.assertRaises(LaunchError):
            take_launch_config({})

    def test_config_is_frozen(self):
        with self.assertRaises(AttributeError):
            make_config().threads = 9


if __name__ == "__main__":
    unittest.main()
