"""The page served when no application was given. mod_wsgi-express serves its
"My web site runs on Malt Whiskey" page then, with a link to the documentation it
serves at /__wsgi__/docs/ (--enable-docs is forced on in that case); so do we."""

PAGE = b"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>My web site runs on Malt Whiskey</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; margin: 6em auto; max-width: 40em;
       text-align: center; color: #333; }
h1 { font-size: 3.5em; line-height: 1.2; }
code { background: #f3f3f3; padding: 0 0.3em; }
</style>
</head>
<body>
<h1>My web site<br>runs on<br>Malt Whiskey</h1>
<p>This is wsgi-express's default page: no WSGI application was given. Start the
server with the path of your WSGI script, for example
<code>wsgi-express start-server app.wsgi</code>.</p>
<p>For how to configure it, see the <a href="/__wsgi__/docs/">documentation</a>.</p>
</body>
</html>
"""


def application(environ, start_response):
    start_response("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(PAGE))),
    ])
    return [PAGE]


def not_found(environ, start_response):
    """--application-type static has no application; the front end never sends it a
    request, but should one arrive, it is answered as a missing file is."""
    body = b"Not Found\n"
    start_response("404 Not Found", [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])
    return [body]
