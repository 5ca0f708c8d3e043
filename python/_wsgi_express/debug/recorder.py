"""--enable-recorder: every request and response in seven files per request, named
<int(time.time()*1e6)>-<pid>-<n> in the recorder directory (reference §5). Unlike
mod_wsgi's, the write() callable works (its wrapper had a stray ``self``)."""

import itertools
import os
import pprint
import threading
import time
import traceback

SUFFIXES = ("iheaders", "icontent", "oheaders", "ocontent",
            "oaexcept", "orexcept", "ofexcept")
_CHUNK = 65536


class RequestRecorder:
    def __init__(self, application, directory):
        self._application = application
        self._directory = directory
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        os.makedirs(directory, exist_ok=True)

    def _key(self):
        with self._lock:
            number = next(self._count)
        return "%d-%d-%d" % (int(time.time() * 1000000), os.getpid(), number)

    def __call__(self, environ, start_response):
        record = _Record(os.path.join(self._directory, self._key()))
        try:
            record.take_input(environ)
            result = self._application(environ, record.wrap_start_response(start_response))
        except BaseException:
            record.files["oaexcept"].write(traceback.format_exc())
            record.close()
            raise
        return _RecordedResult(result, record)


class _Record:
    def __init__(self, base):
        self.files = {}
        for suffix in SUFFIXES:
            binary = suffix in ("icontent", "ocontent")
            self.files[suffix] = open("%s.%s" % (base, suffix), "wb+" if binary else "w")

    def take_input(self, environ):
        """The whole body first; the application then reads it back from the file."""
        self.files["iheaders"].write(pprint.pformat(environ))
        self.files["iheaders"].flush()
        content = self.files["icontent"]
        source = environ["wsgi.input"]
        while True:
            data = source.read(_CHUNK)
            if not data:
                break
            content.write(data)
        content.flush()
        content.seek(0)
        environ["wsgi.input"] = content

    def wrap_start_response(self, start_response):
        def recorded_start_response(status, headers, *exc_info):
            self.files["oheaders"].write(pprint.pformat((status, headers) + exc_info))
            self.files["oheaders"].flush()
            write = start_response(status, headers, *exc_info)

            def recorded_write(data):
                self.files["ocontent"].write(data)
                return write(data)
            return recorded_write
        return recorded_start_response

    def close(self):
        for stream in self.files.values():
            stream.close()


class _RecordedResult:
    def __init__(self, result, record):
        self._result = result
        self._record = record

    def __iter__(self):
        try:
            for chunk in self._result:
                self._record.files["ocontent"].write(chunk)
                yield chunk
        except GeneratorExit:
            raise
        except BaseException:
            self._record.files["orexcept"].write(traceback.format_exc())
            raise

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        except BaseException:
            self._record.files["ofexcept"].write(traceback.format_exc())
            raise
        finally:
            self._record.close()
