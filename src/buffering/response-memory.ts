/**
 * The response bytes the front end holds in memory for its clients, across all responses
 * (--response-memory-size). Each response may queue up to --response-buffer-size for a
 * client that is behind, and a response the daemon has finished no longer counts towards
 * --max-clients (admission.ts), so without this nothing would bound how many responses
 * hold that much at once: a few hundred clients that never read would hold gigabytes.
 * Past the cap, a response whose client is behind goes on into its spool file, or its
 * daemon waits (response-relay.ts).
 */
export class ResponseMemory {
  private held = 0;

  constructor(readonly limit: number) {}

  /** More than the cap waits for clients. */
  get full(): boolean {
    return this.held > this.limit;
  }

  get inUse(): number {
    return this.held;
  }

  /** One response's part of the count. */
  share(): MemoryShare {
    return new MemoryShare((bytes) => {
      this.held += bytes;
    });
  }
}

/**
 * What one response holds. Its writes' callbacks give the bytes back as they leave for
 * the socket; whatever is still counted when the response closes is given back then, so
 * a write whose callback never runs cannot leave the count high for good.
 */
export class MemoryShare {
  private held = 0;
  private closed = false;

  constructor(private readonly change: (bytes: number) => void) {}

  /** Counts `bytes` written towards the client; returns the write's callback, which
   *  gives them back and then runs `then`. */
  hold(bytes: number, then: (() => void) | null): () => void {
    this.held += bytes;
    this.change(bytes);
    return () => {
      if (!this.closed) {
        this.held -= bytes;
        this.change(-bytes);
      }
      then?.();
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.change(-this.held);
    this.held = 0;
  }
}
