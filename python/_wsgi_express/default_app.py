"""The page served when no application was given, like mod_wsgi-express's default
"it works" page: proof that the server runs before any code is deployed."""

PAGE = b"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>wsgi-express is running</title>
<style>
body { font-family: sans-serif; margin: 4em auto; max-width: 40em; color: #333; }
code { background: #f3f3f3; padding: 0 0.3em; }
</style>
</head>
<body>
<h1>wsgi-express is running</h1>
<p>This is the default page: no WSGI application was given. Start the server with
the path of your WSGI script, for example
<code>wsgi-express start-server app.wsgi</code>.</p>
</body>
</html>
"""


def application(environ, start_response):
    start_response("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(PAGE))),
    ])
    return [PAGE]
