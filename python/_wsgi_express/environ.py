"""Builds the WSGI environ from a REQUEST_HEAD (PEP 3333 "environ Variables" plus
mod_wsgi's runtime keys, reference §6.8). The front end already sent every CGI and
HTTP_* variable as a latin-1 native string (messages.py); this adds the Python
objects."""

from .filewrapper import FileWrapper
from .modwsgi import VERSION

WSGI_VERSION = (1, 0)
# mod_wsgi puts Apache's version here; ours names the Apache whose behaviour the server
# matches (2.4), with 0 for the patch level it has none of (docs/http-compatibility.md).
APACHE_VERSION = (2, 4, 0)


class EnvironTemplate:
    """The keys that are the same for every request of a thread, computed once."""

    def __init__(self, config, thread_index):
        threads = config.threads
        self.constant = {
            "wsgi.version": WSGI_VERSION,
            # mod_wsgi daemon mode: multithread iff threads != 1; multiprocess iff the
            # processes option was given (launch "multiprocess"); run_once only when
            # one thread serves one request per process (reference §6.1).
            "wsgi.multithread": threads != 1,
            "wsgi.multiprocess": config.multiprocess,
            "wsgi.run_once": threads == 1 and config.maximumRequests == 1,
            "wsgi.file_wrapper": FileWrapper,
            # Always True, as mod_wsgi: input ends at the body's end even when chunked.
            "wsgi.input_terminated": True,
            "mod_wsgi.version": VERSION,
            "apache.version": APACHE_VERSION,
            "mod_wsgi.thread_id": thread_index,
        }
        # Filled in when the front end did not send them (it normally does).
        self.defaults = {
            "wsgi.url_scheme": "http",
            "mod_wsgi.process_group": config.processGroup,
            "mod_wsgi.application_group": config.applicationGroup,
            "mod_wsgi.callable_object": config.callableObject,
        }

    def build(self, head, wsgi_input, errors, daemon_start):
        environ = head.environ
        for key, value in self.defaults.items():
            if key not in environ:
                environ[key] = value
        environ.update(self.constant)
        environ["wsgi.input"] = wsgi_input
        environ["wsgi.errors"] = errors
        environ["mod_wsgi.request_start"] = head.request_start or daemon_start
        environ["mod_wsgi.queue_start"] = head.queue_start or daemon_start
        environ["mod_wsgi.daemon_start"] = daemon_start
        return environ
