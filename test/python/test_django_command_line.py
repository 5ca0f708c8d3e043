"""runwsgiexpress's command line from Django settings (no Django needed)."""
import os
import sys
import types
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python",
                                "django-wsgi-express"))
from django_wsgi_express.command_line import (  # noqa: E402
    NotFound, command_line, find_executable, passthrough, url_aliases)


def settings(**values):
    values.setdefault("WSGI_APPLICATION", "site1.wsgi.application")
    return types.SimpleNamespace(**values)


class CommandLineTest(unittest.TestCase):
    def test_module_and_callable_from_wsgi_application(self):
        argv = command_line("/bin/wx", settings(), "/venv/bin/python", "/srv/p", ["--port", "0"])
        self.assertEqual(argv[:8], ["/bin/wx", "start-server", "--application-type", "module",
                                    "site1.wsgi", "--callable-object", "application",
                                    "--python-executable"])
        self.assertEqual(argv[-2:], ["--port", "0"])
        self.assertIn("/srv/p", argv)

    def test_static_and_media_aliases_relative_urls_under_root(self):
        aliases = url_aliases(settings(STATIC_URL="static/", STATIC_ROOT="/s",
                                       MEDIA_URL="/media/", MEDIA_ROOT="/m"))
        self.assertEqual(aliases, ["--url-alias", "/static", "/s", "--url-alias", "/media", "/m"])

    def test_no_alias_without_a_root_or_for_another_host(self):
        self.assertEqual(url_aliases(settings(STATIC_URL="/static/", STATIC_ROOT=None)), [])
        self.assertEqual(url_aliases(settings(STATIC_URL="https://cdn.test/s/",
                                              STATIC_ROOT="/s")), [])

    def test_django_options_are_not_passed_on(self):
        self.assertEqual(passthrough(["--settings", "x.y", "--port", "1", "--pythonpath=/p"]),
                         ["--port", "1"])

    def test_executable_from_the_environment_then_path(self):
        self.assertEqual(find_executable({"WSGI_EXPRESS": "/x/wx"}, lambda name: None), "/x/wx")
        self.assertEqual(find_executable({}, lambda name: "/usr/bin/" + name),
                         "/usr/bin/wsgi-express")
        with self.assertRaises(NotFound):
            find_executable({}, lambda name: None)


if __name__ == "__main__":
    unittest.main()
