"""Entry point of a wsgi-express daemon process.

Started by the front end as ``<python> <package>/python/daemon.py`` with the launch
settings as JSON in WSGI_EXPRESS_DAEMON (docs/protocol.md). It imports its package
and then removes its own directory from sys.path before loading the application.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from _wsgi_express.main import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    sys.exit(main(HERE))
