/**
 * The --processes positions. Each has the process serving it and, during a graceful
 * replacement, the old ones waiting for it to report ready before they drain.
 */
import type { DaemonProcess } from "./daemon-process.js";
import type { Timers } from "../process/timers.js";

interface Slot {
  current: DaemonProcess | null;
  readonly outgoing: DaemonProcess[];
}

export class Slots {
  private readonly slots: Slot[];
  private readonly reportWaiters: (() => void)[] = [];

  constructor(
    count: number,
    private readonly timers: Timers,
  ) {
    this.slots = Array.from({ length: count }, () => ({ current: null, outgoing: [] }));
  }

  get count(): number {
    return this.slots.length;
  }

  /** The processes taking requests. */
  get serving(): DaemonProcess[] {
    return this.slots.flatMap((slot) => (slot.current ? [slot.current] : []));
  }

  isCurrent(daemon: DaemonProcess): boolean {
    return this.slots[daemon.index]?.current === daemon;
  }

  /** `daemon` is the process now serving its slot. */
  install(daemon: DaemonProcess): void {
    const slot = this.slots[daemon.index];
    if (slot) slot.current = daemon;
  }

  /** `daemon` keeps serving until its slot's next process reports. */
  retire(daemon: DaemonProcess): void {
    this.slots[daemon.index]?.outgoing.push(daemon);
  }

  /** `daemon` reported: the old processes of its slot, which may now drain. */
  reported(daemon: DaemonProcess): DaemonProcess[] {
    this.notify();
    const slot = this.slots[daemon.index];
    return slot?.current === daemon ? slot.outgoing.splice(0) : [];
  }

  exited(daemon: DaemonProcess): void {
    this.notify();
    const outgoing = this.slots[daemon.index]?.outgoing;
    const at = outgoing?.indexOf(daemon) ?? -1;
    if (at !== -1) outgoing?.splice(at, 1);
  }

  /** Resolves once every slot's process has reported or exited, or at the timeout. */
  allReported(timeoutMs: number): Promise<void> {
    const done = (): boolean =>
      this.slots.every(({ current: d }) => d === null || d.exited || d.app !== null);
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(resolve, timeoutMs);
      const check = (): void => {
        if (done()) {
          this.timers.clearTimeout(timer);
          resolve();
        } else this.reportWaiters.push(check);
      };
      check();
    });
  }

  private notify(): void {
    for (const waiter of this.reportWaiters.splice(0)) waiter();
  }
}
