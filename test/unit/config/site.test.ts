import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../src/config/resolve.js";
import { CWD, fakeContext, parseArgs } from "./fakes.js";

function resolveWith(argv: string[]) {
  const context = fakeContext();
  return resolveConfig(
    parseArgs(["start-server", "app.wsgi", "--server-root", "/srv/root", ...argv], context.env),
    context,
  );
}

async function failsWith(argv: string[], code: string): Promise<void> {
  await assert.rejects(resolveWith(argv), (error: { code?: string }) => error.code === code);
}

test("site defaults: no virtual host, <server-root>/htdocs, nothing compressed", async () => {
  const { site } = await resolveWith([]);
  assert.deepEqual(site, {
    virtualHost: null,
    allowLocalhost: false,
    documentRoot: "/srv/root/htdocs",
    defaultDocumentRoot: true,
    directoryIndex: null,
    directoryListing: false,
    urlAliases: [],
    errorDocuments: [],
    errorOverride: false,
    compressResponses: false,
    mapHeadToGet: false,
    mimeTypes: null,
    features: { staticOnly: false, docs: false, handlers: [], cgi: null },
  });
});

test("site options resolve: paths absolute, aliases longest first without trailing /", async () => {
  const { site } = await resolveWith([
    "--server-name",
    "www.example.com",
    "--allow-localhost",
    "--document-root",
    "lib",
    "--directory-index",
    "index.html",
    "--directory-listing",
    "--url-alias",
    "/a/",
    "x",
    "--url-alias",
    "/a/bb",
    "/abs",
    "--url-alias",
    "/",
    "root",
    "--error-document",
    "404",
    "/missing.html",
    "--error-document",
    "503",
    "https://status.example.com/",
    "--error-override",
    "--compress-responses",
    "--mime-types",
    "readme.txt",
  ]);
  assert.equal(site.virtualHost, "www.example.com");
  assert.equal(site.allowLocalhost, true);
  assert.equal(site.documentRoot, `${CWD}/lib`);
  assert.equal(site.defaultDocumentRoot, false);
  assert.deepEqual(site.urlAliases, [
    { urlPath: "/a/bb", target: "/abs" },
    { urlPath: "/a", target: `${CWD}/x` },
    { urlPath: "/", target: `${CWD}/root` },
  ]);
  assert.deepEqual(site.errorDocuments, [
    [404, "/missing.html"],
    [503, "https://status.example.com/"],
  ]);
  assert.equal(site.mapHeadToGet, true);
  assert.equal(site.mimeTypes, `${CWD}/readme.txt`);
});

test("--map-head-to-get: On and Off override Auto", async () => {
  assert.equal((await resolveWith(["--map-head-to-get", "on"])).site.mapHeadToGet, true);
  assert.equal(
    (await resolveWith(["--map-head-to-get", "OFF", "--compress-responses"])).site.mapHeadToGet,
    false,
  );
});

test("bad site option values are refused with codes", async () => {
  await failsWith(["--document-root", "/nowhere"], "WSGIX_ERR_NOT_A_DIRECTORY");
  await failsWith(["--mime-types", "/nowhere/mime.types"], "WSGIX_ERR_MISSING_FILE");
  await failsWith(["--directory-index", "a/b.html"], "WSGIX_ERR_OPTION_VALUE");
  await failsWith(["--url-alias", "static", "x"], "WSGIX_ERR_OPTION_VALUE");
  await failsWith(["--error-document", "200", "/x"], "WSGIX_ERR_OPTION_VALUE");
  await failsWith(["--error-document", "404", "not a url"], "WSGIX_ERR_OPTION_VALUE");
});
