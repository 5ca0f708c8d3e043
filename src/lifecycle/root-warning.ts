/**
 * Started as root without --user, mod_wsgi-express runs the application as Apache's
 * `User ${MOD_WSGI_USER}`, which defaults to the user who started it: root, silently. We
 * warn instead (issue #23 item 0), in the banner and the error log; never refuse, since a
 * container runs as root on purpose. Pure: the uid is passed in.
 */
import type { ServerConfig } from "../config/server-config.js";

export function rootWarnings(config: ServerConfig, uid: number | undefined): string[] {
  if (uid !== 0) return [];
  const warnings: string[] = [];
  if (config.daemons.embedded) {
    // --user is refused in embedded mode (resolve-embedded.ts): say what is left.
    warnings.push(
      "started as root in embedded mode: the application runs as root in the front " +
        "end's worker processes; start the server as another user, or use daemon mode " +
        "with --user and --group",
    );
  } else if (config.daemons.identity.user === null) {
    warnings.push(
      "started as root without --user/--group: the application runs as root; " +
        "give --user and --group to run it as another user",
    );
  }
  for (const service of config.services) {
    if (service.identity.user !== null) continue;
    warnings.push(
      `started as root without --service-user ${service.name} (or --user): ` +
        `service script '${service.name}' runs as root`,
    );
  }
  return warnings;
}
