"""Entry point of the wsgi-express auth helper process (--host-access-script,
--auth-user-script, --auth-group-script).

Started by the front end as ``<python> <package>/python/auth_helper.py`` with its
settings as JSON in WSGI_EXPRESS_AUTH_HELPER. It answers the front end's checks, one
JSON object per line on stdin and stdout (_wsgi_express/auth_helper.py), and exits when
stdin closes.

Exit status: 0 when stdin closes, 2 when the settings are missing or invalid, 4 when
privileges cannot be dropped.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from _wsgi_express.auth_helper import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    sys.exit(main(HERE))
