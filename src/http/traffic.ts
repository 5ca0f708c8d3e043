/**
 * What the server has served since it started, for --server-status (mod_status's
 * "Total accesses" and "Total Traffic"). One server runs per process (the CLI), so the
 * counters are the process's. Kept as two plain numbers bumped on the request path: an
 * addition each, nothing allocated per request.
 */
export const traffic = {
  /** Requests that reached the front door. */
  accesses: 0,
  /** Response body bytes sent (what countBody() sees; Apache counts body bytes too). */
  bodyBytes: 0,
};
