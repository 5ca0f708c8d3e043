import { test } from "node:test";
import assert from "node:assert/strict";
import { cgiEnvironment } from "../../../src/cgi/cgi-environ.js";

test("the meta-variables: CGI's own, request headers, nothing of WSGI, no credentials", () => {
  const base = { SERVER_SOFTWARE: "wsgi-express", "mod_wsgi.process_group": "x" };
  const environ = Object.assign(Object.create(base) as Record<string, string>, {
    REQUEST_METHOD: "GET",
    QUERY_STRING: "a=1",
    PATH_INFO: "/old",
    HTTP_X_TEST: "hi",
    HTTP_PROXY: "http://evil",
    HTTP_AUTHORIZATION: "Basic eDp5",
    "wsgi.url_scheme": "http",
  });
  const script = { file: "/srv/x.cgi", scriptName: "/x.cgi", documentRoot: "/srv" };
  const env = cgiEnvironment(environ, { ...script, pathInfo: "/a/b" }, "/bin");
  assert.deepEqual(env, {
    SERVER_SOFTWARE: "wsgi-express",
    REQUEST_METHOD: "GET",
    QUERY_STRING: "a=1",
    PATH_INFO: "/a/b",
    PATH_TRANSLATED: "/srv/a/b",
    HTTP_X_TEST: "hi",
    GATEWAY_INTERFACE: "CGI/1.1",
    SCRIPT_FILENAME: "/srv/x.cgi",
    SCRIPT_NAME: "/x.cgi",
    PATH: "/bin",
  });
  const none = cgiEnvironment(environ, { ...script, pathInfo: "" }, undefined);
  assert.equal(none.PATH_INFO, undefined);
  assert.equal(none.PATH_TRANSLATED, undefined);
  assert.equal(none.PATH, "/usr/local/bin:/usr/bin:/bin");
});
