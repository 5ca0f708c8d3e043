/**
 * The daemon pool's snapshot for --server-status: each process, each connected thread,
 * the request a busy thread runs and for how long. Built only when the page is asked
 * for, from what the processes and their channels already hold.
 */
import type { DaemonConfig } from "../config/server-config.js";
import type { DispatchTarget, PoolStatus, ProcessStatus, ThreadStatus } from "../daemon/pool.js";

export function poolStatus(
  processes: readonly DispatchTarget[],
  daemons: Pick<DaemonConfig, "processes" | "threads">,
  waiting: number,
  /** The pool's clock (ms), the one WorkerChannel.since is on. */
  now: number,
): PoolStatus {
  return {
    processSlots: daemons.processes,
    threadsPerProcess: daemons.threads,
    processes: [...processes].sort((a, b) => a.pid - b.pid).map((p) => processStatus(p, now)),
    waiting,
  };
}

function processStatus(daemon: DispatchTarget, now: number): ProcessStatus {
  const threads: ThreadStatus[] = [];
  for (const channel of daemon.channels) {
    if (channel.isClosed) continue;
    const request = channel.current;
    const busyMs = request === null ? 0 : Math.max(0, now - channel.since);
    threads.push({ thread: channel.thread, request, busyMs });
  }
  threads.sort((a, b) => a.thread - b.thread);
  return { pid: daemon.pid, serving: daemon.acceptsRequests, threads };
}
