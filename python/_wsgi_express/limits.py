"""Per-process limits and the process title, set before the application loads
(mod_wsgi does the same in the daemon child: reference §6.1)."""

import signal
import sys

try:
    import resource
except ImportError:  # not on this platform: the limits are skipped
    resource = None


def apply_limits(config, monitor_holder):
    """--cpu-time-limit as RLIMIT_CPU (soft = limit, hard = limit + 1 +
    shutdown-timeout, as mod_wsgi) with SIGXCPU asking for a graceful replacement;
    --virtual-memory-limit as RLIMIT_AS."""
    if resource is None:
        return
    if config.cpuTimeLimit > 0:
        soft = max(1, int(config.cpuTimeLimit))
        hard = soft + 1 + int(config.shutdownTimeout)
        _set_limit(resource.RLIMIT_CPU, soft, hard, "cpu-time-limit")

        def on_xcpu(signum, frame):
            monitor = monitor_holder()
            if monitor is not None:
                monitor.request_recycle("cpu_time_limit")

        signal.signal(signal.SIGXCPU, on_xcpu)
    if config.virtualMemoryLimit > 0:
        limit = config.virtualMemoryLimit
        _set_limit(resource.RLIMIT_AS, limit, limit, "virtual-memory-limit")


def _set_limit(which, soft, hard, option):
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError) as error:
        sys.stderr.write("wsgi-express: cannot apply --%s: %s\n" % (option, error))


def set_process_name(title):
    """The kernel's name for the process (what top and ps -o comm show), as much of
    `(wsgi:GROUP)` as fits in 15 bytes; the full title is already in the command line.

    Written to /proc/self/comm (proc(5)), which is prctl(PR_SET_NAME) for the main
    thread without ctypes: ctypes.util.find_library runs ldconfig and cost each daemon
    about 3 MiB (issue #6)."""
    if not title or not sys.platform.startswith("linux"):
        return
    try:
        with open("/proc/self/comm", "wb") as comm:
            comm.write(title.encode("utf-8")[:15])
    except OSError:
        pass
