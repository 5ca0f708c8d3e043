# Benchmark app "sleep_10ms": blocks its thread for 10 ms (time.sleep releases the GIL),
# so throughput is bounded by thread capacity: 2 processes x 4 threads -> ~800 requests/s.
import time


def application(environ, start_response):
    time.sleep(0.01)
    body = b"slept 10 ms\n"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
