/**
 * Exit statuses of the Python processes that the front end acts on (python/daemon.py,
 * python/service.py).
 */

/** The process could not become its --user/--group (python/_wsgi_express/privileges.py)
 *  or enter its working directory. Never respawned: running on as root, or from the
 *  wrong directory, is what mod_wsgi's CVE-2014-8583 and CVE-2014-0240 were about, so
 *  the server stops with an error instead. */
export const EXIT_PRIVILEGES = 4;
