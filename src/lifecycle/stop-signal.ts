/** SIGTERM/SIGINT stop gracefully; a second one forces (as apachectl users expect). */

export interface StopSignal {
  /** Resolves with the first signal's name. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Resolves when a second signal arrives. */
  readonly forced: Promise<void>;
  dispose(): void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

export function waitForStopSignal(): StopSignal {
  let count = 0;
  let first: (signal: NodeJS.Signals) => void = () => undefined;
  let second: () => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (first = resolve));
  const forced = new Promise<void>((resolve) => (second = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) first(signal);
    else second();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    signalled,
    forced,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
  };
}
