/**
 * The headings `--help` and the docs list options under, in order. Each row of the option
 * table names its group; mod_wsgi-express's own help is one flat list of 152 options.
 */
export const OPTION_GROUPS = {
  application: "Application",
  network: "Network",
  https: "HTTPS",
  processes: "Processes and threads",
  timeouts: "Timeouts",
  requests: "Request and response sizes",
  static: "URLs, static files and error pages",
  proxy: "Proxies",
  security: "Security: users, access and authentication",
  python: "Python and its environment",
  logging: "Logging",
  server: "Server root and control",
  monitoring: "Monitoring",
  services: "Service scripts",
  debugging: "Debugging",
} as const;

export type OptionGroup = keyof typeof OPTION_GROUPS;
