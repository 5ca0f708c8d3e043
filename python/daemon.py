"""Entry point of a wsgi-express daemon process.

Started by the front end as ``<python> <package>/python/daemon.py`` with the launch
settings as JSON in WSGI_EXPRESS_DAEMON (docs/protocol.md). It imports its package
and then removes its own directory from sys.path before loading the application.

By hand (something must already listen on the socket, as the front end does; see
test/python/test_daemon.py for a fake one):

    WSGI_EXPRESS_DAEMON='{"socket": "/tmp/wx/daemon.sock", "token": "ab12",
        "threads": 2, "entryPoint": "/abs/app.wsgi", "workingDirectory": "/abs"}' \
        python3 python/daemon.py

Exit status: 0 after a stop (SIGTERM/SIGINT, or the front end went away), 2 when the
launch settings are missing or invalid, 3 when the socket cannot be reached, 4 when
--user/--group cannot be applied (the front end then stops the server).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from _wsgi_express.main import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    sys.exit(main(HERE))
