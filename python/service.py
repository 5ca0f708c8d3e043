"""Entry point of a wsgi-express service process (--service-script NAME PATH).

Started by the front end as ``<python> <package>/python/service.py`` with its settings
as JSON in WSGI_EXPRESS_SERVICE. It runs the script as ``__main__`` in the main
interpreter and nothing else; its output goes to the service's log (reference §4).

Exit status: the script's own (SystemExit), 0 when it returns, 1 when it raises,
2 when the settings are missing or invalid, 4 when privileges cannot be dropped.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from _wsgi_express.service import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    sys.exit(main(HERE))
