/**
 * The server nonces of Digest authentication (RFC 7616 §3.3, §5.4): each carries the
 * time it was made and an HMAC of it under a secret of this server run, so a nonce is
 * checked without being stored; it goes stale after its lifetime (Apache's
 * AuthDigestNonceLifetime, 300 s by default). The nonce count of each nonce that has
 * been used is remembered until it expires, and must grow with every use: a request
 * replayed with a count already seen is refused (Apache's AuthDigestNcCheck).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const NONCE_LIFETIME_MS = 300_000;
/** Nonces whose counts are remembered at most; the oldest are forgotten first (a
 *  forgotten nonce is then refused as a replay rather than accepted). */
const MAX_TRACKED = 50_000;

export type NonceState = "fresh" | "stale" | "forged";

interface Tracked {
  readonly madeAt: number;
  count: number;
}

export class NonceBook {
  private readonly secret = randomBytes(32);
  private readonly counts = new Map<string, Tracked>();
  /** The newest time of a nonce whose count was forgotten while still fresh (the book
   *  was full): an untracked nonce made by then may have been used already. */
  private forgottenUpTo = -1;

  constructor(
    /** Wall-clock milliseconds (injected: the unit tests move it with mock timers). */
    private readonly now: () => number,
    private readonly lifetimeMs = NONCE_LIFETIME_MS,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** A new nonce: `<time>.<random>.<mac>`, all hex. */
  issue(): string {
    const body = `${Math.floor(this.now()).toString(16)}.${randomBytes(8).toString("hex")}`;
    return `${body}.${this.mac(body)}`;
  }

  /** Whether `nonce` is one of ours, and still within its lifetime. */
  state(nonce: string): NonceState {
    const madeAt = this.madeAt(nonce);
    if (madeAt === null) return "forged";
    return this.now() - madeAt > this.lifetimeMs ? "stale" : "fresh";
  }

  /** Records nonce count `count` for a fresh nonce; false when it is not above every
   *  count seen with that nonce before (a replay, RFC 7616 §5.4). */
  accept(nonce: string, count: number): boolean {
    const madeAt = this.madeAt(nonce);
    if (madeAt === null || count < 1) return false;
    this.forgetExpired();
    const seen = this.counts.get(nonce);
    if (seen !== undefined) {
      if (count <= seen.count) return false;
      seen.count = count;
      return true;
    }
    // Its count may have been forgotten to make room: refusing it is the safe side.
    if (madeAt <= this.forgottenUpTo) return false;
    this.counts.set(nonce, { madeAt, count });
    if (this.counts.size > this.maxTracked) this.forgetOldest();
    return true;
  }

  /** How many nonces' counts are remembered (for the tests). */
  get tracked(): number {
    return this.counts.size;
  }

  private madeAt(nonce: string): number | null {
    const parts = nonce.split(".");
    if (parts.length !== 3) return null;
    const [time = "", random = "", mac = ""] = parts;
    if (!/^[0-9a-f]{1,13}$/.test(time) || !/^[0-9a-f]{16}$/.test(random)) return null;
    const expected = Buffer.from(this.mac(`${time}.${random}`), "hex");
    const given = Buffer.from(mac, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const madeAt = parseInt(time, 16);
    // Made in the future: not by this clock.
    return madeAt > this.now() ? null : madeAt;
  }

  private forgetOldest(): void {
    for (const [nonce, tracked] of this.counts) {
      this.counts.delete(nonce);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, tracked.madeAt);
      return;
    }
  }

  private mac(body: string): string {
    return createHmac("sha256", this.secret).update(body).digest("hex").slice(0, 32);
  }

  /** Drops the counts of expired nonces from the front of the book (first used, first
   *  expired, near enough: a stale nonce is refused before its count is looked at). */
  private forgetExpired(): void {
    const now = this.now();
    for (const [nonce, tracked] of this.counts) {
      if (now - tracked.madeAt <= this.lifetimeMs) break;
      this.counts.delete(nonce);
    }
  }
}
