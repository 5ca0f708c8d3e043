"""The per-interval accumulators behind mod_wsgi.request_metrics(), as mod_wsgi 6
keeps them (src/server/wsgi_metrics.c): per phase a total, an exact min/max in
microseconds and a histogram; response classes; per worker slot the requests
completed, busy time, CPU time and longest request. Pure: every time is an argument,
and the caller (metrics.py) holds the lock."""

import math

# mod_wsgi's histogram: 16 octaves from 1 ms to 65536 ms, each split linearly into 4
# sub-buckets, then one overflow bucket for 65536 ms and more; below 1 ms is bucket 0.
BUCKET_COUNT = 65
OVERFLOW_MS = 65536.0

# The phases this daemon can time from the request head and its own clock.
PHASES = ("server_time", "queue_time", "daemon_time", "application_time", "request_time")
# mod_wsgi times these too; here nothing measures them (the GIL is not instrumented, and
# body reads and writes go to the front end, not the client): always empty.
UNMEASURED = ("gil_wait_time", "input_read_time", "output_write_time")


def bucket_index(seconds):
    """wsgi_record_time_in_buckets(): the histogram bucket of a duration. Bounds are
    [lo, hi): a value on a boundary lands in the higher bucket."""
    ms = seconds * 1000.0
    if ms < 1.0:
        return 0
    if ms >= OVERFLOW_MS:
        return BUCKET_COUNT - 1
    mantissa, exponent = math.frexp(ms)  # ms = mantissa * 2**exponent, 0.5 <= m < 1
    sub = int((2.0 * mantissa - 1.0) * 4.0)
    return (exponent - 1) * 4 + (sub if sub < 3 else 3)


# bucket_index() of every whole number of microseconds below the overflow, by quarter
# millisecond: the finest bucket bound (1.25 ms) is a multiple of 250 us, so one byte per
# 250 us is exact. Built on first use (start_recording_metrics()), not at import.
STEP_US = 250
LIMIT_US = int(OVERFLOW_MS * 1000)
_table = None


def bucket_table():
    global _table
    if _table is None:
        bounds = [_lower_bound_steps(index) for index in range(1, BUCKET_COUNT - 1)]
        table = bytearray(bounds[0])  # below 1 ms: bucket 0
        for index, (low, high) in enumerate(zip(bounds, bounds[1:] + [LIMIT_US // STEP_US])):
            table += bytes([index + 1]) * (high - low)
        _table = bytes(table)
    return _table


def _lower_bound_steps(index):
    """Bucket ``index``'s lower bound, 2**octave * (1 + sub/4) ms, in STEP_US steps."""
    return (1 << (index // 4)) * (4 + index % 4) * 1000 // (4 * STEP_US)


def _us(seconds):
    # Inline arithmetic, not round(): this runs five times per request.
    return int(seconds * 1e6 + 0.5) if seconds > 0 else 0


class Interval:
    """What request_metrics() drains: everything recorded since ``start``. Per phase
    (in PHASES order) a total in seconds, the exact min/max in microseconds (min None:
    no sample yet, mod_wsgi's UINT64_MAX) and the histogram."""

    def __init__(self, threads, start, cpu_user, cpu_system):
        self.start = start
        self.cpu_user = cpu_user
        self.cpu_system = cpu_system
        self.requests = 0
        self.totals = [0.0] * len(PHASES)
        self.min_us = [None] * len(PHASES)
        self.max_us = [0] * len(PHASES)
        self.buckets = [[0] * BUCKET_COUNT for _ in PHASES]
        self.status = [0, 0, 0, 0, 0]  # 1xx .. 5xx
        self.input_bytes = 0
        self.output_bytes = 0
        self.completed = [0] * threads
        self.busy_time = [0.0] * threads
        self.cpu_time = [0.0] * threads
        self.max_duration = [0.0] * threads
        self._table = bucket_table()

    def record(self, slot, request_start, queue_start, daemon_start, application_start,
               finish, status, input_bytes, output_bytes, busy):
        """One request completed at ``finish`` on worker ``slot`` (0-based).

        Its phases, as wsgi_record_request_times() cuts them: server (request_start to
        queue_start), queue (to daemon_start), daemon (to application_start),
        application (to finish) and request (their sum), each in whole microseconds
        with negative deltas (two processes' clocks) clamped to 0. Without a queue
        start (no front-end hop) the server phase runs to the application's start.
        ``status`` is the HTTP status as an int; 0 (no start_response) and anything
        out of range count as 5xx, so the classes add up to the request count, as in
        mod_wsgi."""
        if queue_start:
            server = _us(queue_start - request_start)
            queue = _us(daemon_start - queue_start)
            daemon = _us(application_start - daemon_start)
        else:
            server, queue, daemon = _us(application_start - request_start), 0, 0
        application = _us(finish - application_start)
        self.requests += 1
        table, totals, low, high = self._table, self.totals, self.min_us, self.max_us
        overflow = BUCKET_COUNT - 1
        for phase, us in enumerate((server, queue, daemon, application,
                                    server + queue + daemon + application)):
            totals[phase] += us / 1e6
            least = low[phase]
            if least is None or us < least:
                low[phase] = us
            if us > high[phase]:
                high[phase] = us
            self.buckets[phase][table[us // STEP_US] if us < LIMIT_US else overflow] += 1
        status_class = status // 100
        self.status[status_class - 1 if 1 <= status_class <= 5 else 4] += 1
        self.input_bytes += input_bytes
        self.output_bytes += output_bytes
        self.completed[slot] += 1
        self.busy_time[slot] += busy
        duration = finish - daemon_start
        if duration > self.max_duration[slot]:
            self.max_duration[slot] = duration
