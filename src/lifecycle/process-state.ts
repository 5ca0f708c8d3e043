/**
 * A daemon process's life, one state at a time:
 *
 *   starting --> ready --> draining --> stopping --> gone
 *       \          \____________________^  ^           ^
 *        \______________________________/   (any state can end in gone)
 *
 * starting: spawned, has not reported (control HELLO). ready: reported, takes requests.
 * draining: takes no new requests; those in flight get their grace period. stopping:
 * told to stop (SHUTDOWN or SIGTERM; SIGKILL after --shutdown-timeout). gone: exited.
 * A process being replaced stays ready until its replacement reports; why it is being
 * replaced is DaemonProcess.retiring, not a state.
 */

export type ProcessState = "starting" | "ready" | "draining" | "stopping" | "gone";

const NEXT: Readonly<Record<ProcessState, readonly ProcessState[]>> = {
  starting: ["ready", "draining", "stopping", "gone"],
  ready: ["draining", "stopping", "gone"],
  draining: ["stopping", "gone"],
  stopping: ["gone"],
  gone: [],
};

export function canMove(from: ProcessState, to: ProcessState): boolean {
  return NEXT[from].includes(to);
}

/** The new state; throws for a transition that cannot happen (a bug, not a race). */
export function move(from: ProcessState, to: ProcessState): ProcessState {
  if (!canMove(from, to)) throw new Error(`a daemon process cannot go from ${from} to ${to}`);
  return to;
}
