"""The Python side of wsgi-express: the runtime inside each daemon process.

Standard library only, Python 3.9+. The entry point is ``python/daemon.py``; the
protocol it speaks with the Node.js front end is ``docs/protocol.md``.
"""
