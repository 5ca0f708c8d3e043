/** Bytes spooled at once, across all requests: one for request bodies (--body-spool-size),
 *  one for responses (--response-spool-size). */
export class SpoolBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }

  get inUse(): number {
    return this.used;
  }
}
