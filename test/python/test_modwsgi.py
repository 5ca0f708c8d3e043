"""The mod_wsgi module and its events (reference §6.9)."""

import sys
import traceback
import unittest
from wsgiref.validate import validator

from .support import FakeFrontEnd, base_environ, captured_stderr, make_config
from _wsgi_express.filewrapper import FileWrapper
from _wsgi_express.modwsgi import RequestTimeout, VERSION
from _wsgi_express.runtime import Runtime


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


class Module(unittest.TestCase):
    def setUp(self):
        saved = sys.modules.get("mod_wsgi")
        self.addCleanup(self.restore, saved)
        self.runtime = Runtime(make_config(processes=3, threads=7, processGroup="pg",
                                           applicationGroup="ag"))
        self.module = self.runtime.install_mod_wsgi()

    @staticmethod
    def restore(saved):
        if saved is None:
            sys.modules.pop("mod_wsgi", None)
        else:
            sys.modules["mod_wsgi"] = saved

    def front_end(self, application):
        front = FakeFrontEnd(application, runtime=self.runtime)
        self.addCleanup(front.close)
        return front

    def test_attributes(self):
        import mod_wsgi
        self.assertIs(mod_wsgi, self.module)
        self.assertEqual(mod_wsgi.version, VERSION)
        self.assertEqual((mod_wsgi.process_group, mod_wsgi.application_group), ("pg", "ag"))
        self.assertEqual((mod_wsgi.maximum_processes, mod_wsgi.threads_per_process), (3, 7))
        self.assertTrue(issubclass(mod_wsgi.RequestTimeout, BaseException))
        self.assertFalse(issubclass(RequestTimeout, Exception))
        late = RequestTimeout("late")
        # The two-argument form: Python 3.9 has no other.
        self.assertEqual(traceback.format_exception_only(type(late), late),
                         ["mod_wsgi.RequestTimeout: late\n"])
        self.assertIs(mod_wsgi.FileWrapper, FileWrapper)

    def test_request_data_outside_a_request(self):
        with self.assertRaises(RuntimeError):
            self.module.request_data()

    def test_subscribers_see_the_request(self):
        seen = []

        @self.module.subscribe_events
        def listener(name, **event):
            seen.append((name, event))
            if name == "request_started":
                event["request_data"]["mark"] = "set by the listener"

        @validator
        def application(environ, start_response):
            data = self.module.request_data()
            active = list(self.module.active_requests)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [("%s %s" % (data["mark"], active)).encode()]

        self.assertIs(listener, self.module.event_callbacks[0])
        front = self.front_end(application)
        reply = front.request(request_id="r1")
        self.assertEqual(reply.body, b"set by the listener ['r1']")
        # request_finished follows RESPONSE_END; a second request orders us after it.
        front.request(request_id="r2")
        names = [name for name, _ in seen][:3]
        self.assertEqual(names, ["request_started", "response_started", "request_finished"])
        finished = seen[2][1]
        self.assertEqual((finished["request_id"], finished["output_length"]), ("r1", len(reply.body)))
        self.assertNotIn("r1", self.module.active_requests)

    def test_request_started_may_replace_the_application(self):
        self.module.subscribe_events(
            lambda name, **event: {"application_object": hello}
            if name == "request_started" else None)
        reply = self.front_end(lambda environ, start_response: None).request()
        self.assertEqual(reply.body, b"hello")

    def test_request_exception_and_broken_listeners(self):
        seen = []

        def listener(name, **event):
            seen.append(name)
            raise ValueError("a broken listener must not break requests")
        self.module.subscribe_events(listener)

        def failing(environ, start_response):
            raise KeyError("app failure")
        with captured_stderr() as log:
            reply = self.front_end(failing).request()
        self.assertIn("KeyError", reply.error)
        self.assertIn("request_exception", seen)
        self.assertIn("a broken listener", log.getvalue())

    def test_process_stopping_reaches_both_lists(self):
        heard = []
        self.module.subscribe_shutdown(lambda name, **event: heard.append(("s", name, event)))
        self.module.subscribe_events(lambda name, **event: heard.append(("e", name, event)))
        self.runtime.events.publish_stopping("shutdown_signal")
        self.assertEqual(heard, [("s", "process_stopping", {"shutdown_reason": "shutdown_signal"}),
                                 ("e", "process_stopping", {"shutdown_reason": "shutdown_signal"})])


if __name__ == "__main__":
    unittest.main()
