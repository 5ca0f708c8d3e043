#!/usr/bin/env bash
# Installs the peer servers the benchmark compares against (issue #6).
# Idempotent: safe to run again; only apt-get, pip and the project's npm are used.
# Debian packages: wrk, Apache with mod_wsgi (daemon mode peer) and python3-flask for
# the Debian python3 that mod_wsgi embeds. A venv holds the pip peers: $BENCH_VENV, by
# default ~/.cache/wsgi-express-bench/venv, outside the work tree so that `npm run lint`
# (ESLint, Prettier) never walks into the JavaScript and CSS that pip packages ship.
# A peer that fails to install is reported by `npm run bench` as missing.
set -u
cd "$(dirname "$0")"

# nghttp2-client: h2load, for the HTTP/2 rows; libssl-dev: uWSGI builds --https with it.
APT_PACKAGES="wrk apache2 libapache2-mod-wsgi-py3 python3-flask nghttp2-client libssl-dev"
PIP_PACKAGES="flask gunicorn waitress granian"
PYTHON="${BENCH_PYTHON:-python3}"
VENV="${BENCH_VENV:-$HOME/.cache/wsgi-express-bench/venv}"
status=0

missing_apt=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_apt="$missing_apt $pkg"
done
if [ -n "$missing_apt" ]; then
  echo "apt-get install:$missing_apt"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing_apt \
    || { echo "apt-get failed for:$missing_apt" >&2; status=1; }
fi
# The Debian apache2 package starts a system service; the benchmark runs its own.
if command -v apache2ctl >/dev/null 2>&1 && [ -f /var/run/apache2/apache2.pid ]; then
  apache2ctl stop >/dev/null 2>&1 || true
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV with $PYTHON"
  mkdir -p "$(dirname "$VENV")" && "$PYTHON" -m venv "$VENV" || { echo "venv creation failed" >&2; exit 1; }
fi
"$VENV"/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
"$VENV"/bin/python -m pip install -q $PIP_PACKAGES || { echo "pip install failed for some of: $PIP_PACKAGES" >&2; status=1; }
# uWSGI builds from source (C compiler and Python headers needed); it may fail alone.
if [ ! -x "$VENV"/bin/uwsgi ]; then
  "$VENV"/bin/python -m pip install -q uwsgi || { echo "uwsgi failed to build: reported missing" >&2; status=1; }
fi

echo "installed:"
for bin in wrk h2load apache2; do printf '  %-10s %s\n' "$bin" "$(command -v $bin || echo MISSING)"; done
for bin in gunicorn uwsgi waitress-serve granian; do
  printf '  %-10s %s\n' "$bin" "$( [ -x "$VENV/bin/$bin" ] && echo "$VENV/bin/$bin" || echo MISSING)"
done
exit $status
