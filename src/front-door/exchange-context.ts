/** What every exchange shares: the relay's limits and spool, the error pages, the log. */
import type { ServerConfig } from "../config/server-config.js";
import type { ExchangeContext } from "../exchange/exchange.js";
import type { RelayPolicy } from "../exchange/relay-policy.js";
import type { ErrorSender } from "../http/error-pages.js";
import type { ErrorLog } from "../log/error-log.js";
import { ResponseMemory } from "../buffering/response-memory.js";
import { SpoolBudget } from "../buffering/spool-budget.js";
import { SpoolFiles } from "../buffering/spool-files.js";

export function exchangeContext(
  config: ServerConfig,
  errorLog: ErrorLog,
  sendError: ErrorSender,
): ExchangeContext {
  return {
    logError: (message) => {
      errorLog.error(message);
    },
    limitRequestBody: config.http.limitRequestBody,
    policy: relayPolicy(config, errorLog),
    sendError,
  };
}

function relayPolicy(config: ServerConfig, errorLog: ErrorLog): RelayPolicy {
  return Object.freeze({
    keepAlive: config.http.keepAliveTimeout > 0,
    headerBufferSize: config.http.headerBufferSize,
    responseBufferSize: config.clients.responseBufferSize,
    flushDelayMs: config.clients.responseFlushDelay,
    responseMemory: new ResponseMemory(config.clients.responseMemorySize),
    responseSpool: {
      files: new SpoolFiles(config.http.responseSpoolDirectory),
      budget: new SpoolBudget(config.http.responseSpoolSize),
      warn: (message: string) => {
        errorLog.warn(message);
      },
    },
    errorOverride: config.site.errorOverride,
    compressResponses: config.site.compressResponses,
  });
}
