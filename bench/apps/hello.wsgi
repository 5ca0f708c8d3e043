# Benchmark app "hello": 12 bytes with Content-Length, nothing else.
# Plain WSGI so every peer (gunicorn, uWSGI, Apache mod_wsgi, waitress, Granian) runs it.


def application(environ, start_response):
    body = b"Hello World!"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", "12")])
    return [body]
