# Benchmark app "big_response": a 1 MiB body (one bytes object, Content-Length set), so
# the cost of moving bytes from the Python process to the client dominates.
BODY = b"x" * (1024 * 1024)


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
