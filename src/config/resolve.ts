/**
 * Parsed options + the environment -> one deep-frozen ServerConfig. Each concern has
 * its own resolver; this only orders them. Checks that need a process (the Python
 * probe) come last, so that a plain option mistake is reported without running one.
 */
import type { ParsedArgs } from "../options/parse.js";
import { checkCapacity } from "./capacity.js";
import type { ResolveContext } from "./context.js";
import { deepFreeze } from "./deep-freeze.js";
import { OptionReader } from "./option-reader.js";
import { resolveApplication } from "./resolve-application.js";
import { resolveAuth } from "./resolve-auth.js";
import { resolveClients } from "./resolve-clients.js";
import { debugDaemonOverrides, resolveDebug } from "./resolve-debug.js";
import { resolveDaemons, resolveSocketBuffers } from "./resolve-daemons.js";
import { resolveDaemonEnvironment, resolveRequestEnviron } from "./resolve-environ.js";
import { resolveMonitoring } from "./resolve-telemetry.js";
import { resolveHttp } from "./resolve-http.js";
import { resolveListen } from "./resolve-listen.js";
import { resolveLogging } from "./resolve-logging.js";
import { resolveProcess } from "./resolve-process.js";
import { resolveProxy } from "./resolve-proxy.js";
import { resolveProxyRoutes } from "./resolve-proxy-routes.js";
import { resolvePython } from "./resolve-python.js";
import { resolveServerRoot } from "./resolve-server-root.js";
import { resolveServices } from "./resolve-services.js";
import { resolveSite } from "./resolve-site.js";
import { resolveSupport } from "./resolve-support.js";
import { resolveTls } from "./resolve-tls.js";
import type { ServerConfig } from "./server-config.js";

export async function resolveConfig(
  args: ParsedArgs,
  context: ResolveContext,
): Promise<ServerConfig> {
  const options = new OptionReader(args);
  const listen = resolveListen(options);
  const { serverRoot, socketDirectory } = resolveServerRoot(options, listen, context);
  const application = resolveApplication(options, listen, context);
  const logging = resolveLogging(options, serverRoot, context);
  const http = resolveHttp(options, serverRoot);
  const clients = resolveClients(options, context.machineLimits.openFiles);
  const [proxy, reverseProxy] = [resolveProxy(options), resolveProxyRoutes(options)];
  const site = resolveSite(options, serverRoot, context);
  const tls = resolveTls(options, context);
  const requestEnviron = resolveRequestEnviron(options, context.env);
  const processSettings = resolveProcess(options, serverRoot, context);
  const { identity, pythonWarnings, pythonEggs } = processSettings;
  const environment = {
    ...processSettings.environment,
    ...resolveDaemonEnvironment(options, {
      listen,
      serverRoot,
      workingDirectory: application.workingDirectory,
    }),
  };
  const services = resolveServices(options, logging.logDirectory, identity, context);
  // Checked before Python is probed: a bad value fails fast.
  const socketBuffers = resolveSocketBuffers(options);
  const python = await resolvePython(options, context);
  const debug = resolveDebug(options, serverRoot, context);
  const daemons = {
    ...resolveDaemons(options, python, environment, application.applicationGroup),
    ...debugDaemonOverrides(debug),
    ...socketBuffers,
    ...{ identity, pythonWarnings, pythonEggs },
  };
  checkCapacity(daemons.processes, daemons.threads, context.machineLimits);
  return deepFreeze({
    command: args.command,
    setupOnly: options.flag("setup-only") || args.command === "setup-server",
    application,
    listen,
    daemons,
    http,
    clients,
    ...{ proxy, reverseProxy },
    logging,
    site,
    tls,
    ...{ auth: resolveAuth(options, listen, context), ...resolveMonitoring(options) },
    serverRoot,
    socketDirectory,
    pidFile: processSettings.pidFile,
    control: processSettings.control,
    services,
    requestEnviron,
    debug,
    ...resolveSupport(args.given),
  });
}
