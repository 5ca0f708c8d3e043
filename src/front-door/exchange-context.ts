/** What every exchange shares: the pool it runs on, the relay's limits, the logs. */
import type { ServerConfig } from "../config/server-config.js";
import type { DaemonPool } from "../daemon/pool.js";
import type { ExchangeContext } from "../exchange/exchange.js";
import type { ErrorSender } from "../http/error-pages.js";
import type { ErrorLog } from "../log/error-log.js";
import { ResponseMemory } from "../buffering/response-memory.js";
import { SpoolBudget } from "../buffering/spool-budget.js";
import { SpoolFiles } from "../buffering/spool-files.js";

export function exchangeContext(
  config: ServerConfig,
  pool: DaemonPool,
  errorLog: ErrorLog,
  sendError: ErrorSender,
): ExchangeContext {
  return {
    release: (channel) => {
      pool.release(channel);
    },
    abort: (pid, id) => {
      pool.abort(pid, id);
    },
    withdraw: (channel) => {
      pool.withdraw(channel);
    },
    timedOut: (channel, id) => {
      pool.timedOut(channel, id);
    },
    requestTimeoutMs: config.daemons.requestTimeout * 1000,
    socketTimeoutMs: config.daemons.socketTimeout * 1000,
    logError: (message) => {
      errorLog.error(message);
    },
    now: () => performance.now(),
    limitRequestBody: config.http.limitRequestBody,
    keepAlive: config.http.keepAliveTimeout > 0,
    headerBufferSize: config.http.headerBufferSize,
    responseBufferSize: config.clients.responseBufferSize,
    responseMemory: new ResponseMemory(config.clients.responseMemorySize),
    responseSpool: {
      files: new SpoolFiles(config.http.responseSpoolDirectory),
      budget: new SpoolBudget(config.http.responseSpoolSize),
      warn: (message) => {
        errorLog.warn(message);
      },
    },
    sendError,
    errorOverride: config.site.errorOverride,
    compressResponses: config.site.compressResponses,
  };
}
