"""python manage.py runwsgiexpress [wsgi-express options]: serves this project with
wsgi-express start-server (see command_line.py for what is derived from settings)."""
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...command_line import NotFound, command_line, find_executable, passthrough, project_directory


class Command(BaseCommand):
    help = ("Serves the project with wsgi-express start-server; every option is passed "
            "on to it (wsgi-express start-server --help lists them).")

    def run_from_argv(self, argv):
        # Not argparse: the options are wsgi-express's, passed on as given. manage.py
        # has applied --settings and --pythonpath already.
        args = passthrough(argv[2:])
        try:
            executable = find_executable(os.environ)
        except NotFound as error:
            raise CommandError(str(error))
        if args in (["-h"], ["--help"]):
            self.stdout.write(self.help)
        base_dir = project_directory(settings, os.getcwd())
        argv = command_line(executable, settings, sys.executable, base_dir, args)
        sys.stdout.flush()
        sys.stderr.flush()
        # Replaced by the server, as runmodwsgi execs apachectl: signals reach it.
        os.execvp(argv[0], argv)

    def handle(self, *args, **options):
        raise CommandError("runwsgiexpress runs from manage.py only")
