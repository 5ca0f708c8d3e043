/**
 * A minimal httpd.conf for the mod_wsgi daemon-mode peer: mpm_event, no access log,
 * the app in a daemon process group of 2 processes x 4 threads, preloaded at start
 * (WSGIScriptAlias with both process-group and application-group, as mod_wsgi-express
 * does with WSGIImportScript), keep-alive without a per-connection request cap.
 */

export interface ApacheConfInput {
  readonly serverRoot: string;
  readonly port: number;
  readonly script: string;
  readonly appsDir: string;
  readonly user: string;
}

const MODULES = "/usr/lib/apache2/modules";

export function apacheConf(input: ApacheConfInput): string {
  const { serverRoot, port, script, appsDir, user } = input;
  return `ServerRoot "${serverRoot}"
DefaultRuntimeDir "${serverRoot}"
PidFile "${serverRoot}/httpd.pid"
ErrorLog "${serverRoot}/error_log"
LogLevel warn
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
User ${user}
Group ${user}

LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule wsgi_module ${MODULES}/mod_wsgi.so

# Debian's mpm_event.conf values.
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadsPerChild 25
MaxRequestWorkers 150
KeepAlive On
KeepAliveTimeout 5
MaxKeepAliveRequests 0

WSGISocketPrefix "${serverRoot}/wsgi"
WSGIRestrictEmbedded On
WSGIDaemonProcess bench processes=2 threads=4 display-name=%{GROUP}
WSGIScriptAlias / "${script}" process-group=bench application-group=%{GLOBAL}

<Directory "${appsDir}">
  Require all granted
</Directory>
`;
}
