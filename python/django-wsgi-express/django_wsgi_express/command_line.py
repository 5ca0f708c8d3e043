"""The wsgi-express command line for a Django project, from its settings (no Django
import here, so that it is tested without Django). As mod_wsgi's runmodwsgi: the
application named by WSGI_APPLICATION, static files from STATIC_URL/STATIC_ROOT (and
media from MEDIA_URL/MEDIA_ROOT) served by the front end, every other option passed on.
"""
import os
import shutil

ENV_EXECUTABLE = "WSGI_EXPRESS"

# Django's own options, handled by manage.py before the command runs.
_DJANGO_OPTIONS = ("--settings", "--pythonpath")


class NotFound(Exception):
    pass


def find_executable(environ, which=shutil.which):
    """$WSGI_EXPRESS (the bin's path), else wsgi-express on PATH. Never npx: it may
    fetch a package at start-up, and it puts a process between the signals and the
    server."""
    named = environ.get(ENV_EXECUTABLE)
    if named:
        return named
    found = which("wsgi-express")
    if found:
        return found
    raise NotFound(
        "runwsgiexpress: cannot find wsgi-express: set %s to its path "
        "(e.g. node_modules/.bin/wsgi-express) or put it on PATH "
        "(npm install -g wsgi-express)" % ENV_EXECUTABLE
    )


def passthrough(argv):
    """The command's arguments without Django's own options."""
    result = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _DJANGO_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(option + "=" for option in _DJANGO_OPTIONS)):
            result.append(arg)
    return result


def _url_path(url):
    """STATIC_URL may be relative ('static/', Django 3.1+): then it is under '/'."""
    if not url or "://" in url or url.startswith("//"):
        return None
    return "/" + url.strip("/") if url.strip("/") else "/"


def url_aliases(settings):
    """--url-alias pairs for static and media files, when both URL and root are set."""
    aliases = []
    for url_name, root_name in (("STATIC_URL", "STATIC_ROOT"), ("MEDIA_URL", "MEDIA_ROOT")):
        path = _url_path(getattr(settings, url_name, None))
        root = getattr(settings, root_name, None)
        if path is not None and path != "/" and root:
            aliases += ["--url-alias", path, str(root)]
    return aliases


def command_line(executable, settings, python, base_dir, args):
    """argv for wsgi-express start-server."""
    module, _, callable_name = settings.WSGI_APPLICATION.rpartition(".")
    argv = [executable, "start-server", "--application-type", "module", module,
            "--callable-object", callable_name,
            # The daemons run the interpreter that runs manage.py (its venv, Django).
            "--python-executable", python]
    if base_dir:
        argv += ["--working-directory", str(base_dir), "--python-path", str(base_dir)]
    return argv + url_aliases(settings) + list(args)


def project_directory(settings, cwd):
    base = getattr(settings, "BASE_DIR", None)
    return os.fspath(base) if base else cwd
