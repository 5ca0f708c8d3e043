"""The auth helper: runs mod_wsgi's hook scripts for the front end (reference §6.7).

mod_wsgi runs WSGIAccessScript, WSGIAuthUserScript and WSGIAuthGroupScript in the
Apache child, before the request reaches a daemon; here a process of its own does,
so a script that crashes or hangs costs the checks in flight, never the front end.

The front end writes one JSON object per line on our stdin:
    {"id": 7, "hook": "check_password", "script": PATH, "environ": {...}, "args": [...]}
and we answer each, in any order, with one line on stdout:
    {"id": 7, "verdict": "granted", "value": "alice"}
Each check runs on a thread of a pool, so a slow script holds one thread, not the rest.
The verdicts follow mod_wsgi's wsgi_auth.c, case by case (see judge_* below).
"""

import json
import os
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from .environ import APACHE_VERSION
from .errorlog import ErrorStream, log
from .loader import LoadError, load_script
from .modwsgi import VERSION
from .process_setup import line_buffer_streams, take_on_settings

ENV_VAR = "WSGI_EXPRESS_AUTH_HELPER"

# The function each hook calls, and how mod_wsgi names the provider when it is missing.
FUNCTIONS = {
    "access": ("allow_access", "Target WSGI host access script %r does not provide "
               "host validator."),
    "check_password": ("check_password", "Target WSGI user authentication script %r "
                       "does not provide 'Basic' auth provider."),
    "get_realm_hash": ("get_realm_hash", "Target WSGI user authentication script %r "
                       "does not provide 'Digest' auth provider."),
    "groups": ("groups_for_user", "Target WSGI group authentication script %r does "
               "not provide group provider."),
}


class Scripts:
    """The hook scripts, loaded on first use as mod_wsgi loads them (module
    ``_mod_wsgi_<md5 of path>``) and loaded again when their mtime changes, whichever
    way (wsgi_reload_required: 'Only support module reloading for authentication
    scripts')."""

    def __init__(self):
        self._modules = {}
        self._lock = threading.Lock()

    def get(self, path):
        """The script's module; raises LoadError (its text for the error log)."""
        with self._lock:
            module = self._modules.get(path)
            if module is not None and not _changed(path, module):
                return module
            module = load_script(path)
            self._modules[path] = module
            return module


def _changed(path, module):
    try:
        return os.stat(path).st_mtime != module.__mtime__
    except OSError:
        # Gone or unreadable for a moment (an editor's save): keep what is loaded.
        return False


def auth_environ(sent):
    """The cut-down environ mod_wsgi's Auth_environ builds: the CGI keys the front end
    sent, plus the Python objects."""
    environ = dict(sent)
    environ["mod_wsgi.version"] = VERSION
    environ["apache.version"] = APACHE_VERSION
    environ["mod_wsgi.script_reloading"] = 1
    environ["wsgi.errors"] = ErrorStream()
    return environ


def judge_access(result, script):
    # wsgi_allow_access: True allows, None declines (no decision), False and anything
    # else refuse; the wrong type is logged.
    if result is None:
        return "none", None
    if result is True:
        return "allow", None
    if result is not False:
        log("Indicator of host accessibility returned from %r must a boolean or None."
            % script)
    return "deny", None


def judge_password(result, script):
    # wsgi_check_password: None is AUTH_USER_NOT_FOUND, False AUTH_DENIED, True
    # AUTH_GRANTED, a str AUTH_GRANTED with r->user replaced; else a general error.
    if result is None:
        return "unknown", None
    if result is True:
        return "granted", None
    if result is False:
        return "denied", None
    if isinstance(result, str):
        return "granted", result
    raise TypeError("Basic auth provider must return True, False None or user name as string")


def judge_realm_hash(result, script):
    # wsgi_get_realm_hash: None is AUTH_USER_NOT_FOUND; bytes, or a str that encodes as
    # latin-1, is the hash.
    if result is None:
        return "unknown", None
    if isinstance(result, bytes):
        return "found", result.decode("latin-1")
    if isinstance(result, str):
        try:
            result.encode("latin-1")
        except UnicodeEncodeError:
            raise TypeError("Digest auth provider must return None or string object, "
                            "value containing non 'latin-1' characters found")
        return "found", result
    raise TypeError("Digest auth provider must return None or string object")


def judge_groups(result, script):
    # wsgi_groups_for_user: any iterable of bytes, or str that encode as latin-1.
    try:
        items = iter(result)
    except TypeError:
        log("Groups for user returned from %r must be an iterable sequence of byte "
            "strings." % script)
        return "error", None
    groups = []
    for item in items:
        if isinstance(item, str):
            try:
                item = item.encode("latin-1")
            except UnicodeEncodeError:
                log("Groups for user returned from %r must be an iterable sequence of "
                    "byte strings, value containing non 'latin-1' characters found"
                    % script)
                return "error", None
        if not isinstance(item, bytes):
            log("Groups for user returned from %r must be an iterable sequence of byte "
                "strings." % script)
            return "error", None
        groups.append(item.decode("latin-1"))
    return "groups", groups


JUDGES = {
    "access": judge_access,
    "check_password": judge_password,
    "get_realm_hash": judge_realm_hash,
    "groups": judge_groups,
}


def check(scripts, request):
    """One check: (verdict, value). Every failure is logged and is the verdict
    'error', which the front end turns into the status mod_wsgi gives for it."""
    hook, script = request["hook"], request["script"]
    name, missing = FUNCTIONS[hook]
    try:
        module = scripts.get(script)
    except LoadError as error:
        log(str(error))
        return "error", None
    function = getattr(module, name, None)
    if function is None:
        log(missing % script)
        return "error", None
    environ = auth_environ(request["environ"])
    try:
        result = function(environ, *request["args"])
        return JUDGES[hook](result, script)
    except Exception:
        log("Exception occurred processing WSGI script %r.\n%s"
            % (script, traceback.format_exc().rstrip("\n")))
        return "error", None
    finally:
        environ["wsgi.errors"].close()


class Replies:
    """Answers written whole, one line each, from any thread."""

    def __init__(self, fd):
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, ident, verdict, value):
        line = json.dumps({"id": ident, "verdict": verdict, "value": value}) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            while data:
                data = data[os.write(self._fd, data):]


def serve(requests, replies, threads):
    """Answers every request line on its own pool thread; returns at end of input."""
    scripts = Scripts()

    def run(request):
        try:
            verdict, value = check(scripts, request)
        except BaseException:
            # SystemExit raised by a script, or a malformed request: an error answer,
            # never a thread that dies silently and leaves the check hanging.
            log("auth check failed:\n%s" % traceback.format_exc().rstrip("\n"))
            verdict, value = "error", None
        replies.send(request.get("id"), verdict, value)

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="auth")
    for line in requests:
        if line.strip():
            pool.submit(run, json.loads(line))
    return pool


def _private_channel():
    """stdin and stdout become the front end's alone: a script's print() goes to
    stderr (the error log), and its reads see /dev/null, never the protocol."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = Replies(os.dup(1))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, replies


def main(package_dir):
    line_buffer_streams()
    _, threads, status = take_on_settings(
        ENV_VAR, package_dir, log, lambda given: int(given["threads"]))
    if status is not None:
        return status
    requests, replies = _private_channel()
    serve(requests, replies, threads)
    # The front end closed our stdin (it stopped, or dropped this helper): leave at
    # once. A thread stuck in a script must not hold the exit, as the executor's
    # atexit join would.
    sys.stderr.flush()
    os._exit(0)
