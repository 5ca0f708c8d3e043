import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { app, startServer, tempDir } from "./harness.js";
import { httpsArgs, httpsPort, makeCertificates } from "./tls-helpers.js";

const run = promisify(execFile);

function hasChromium(): boolean {
  try {
    execFileSync("chromium", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// .ci/run installs chromium and sets WSGI_EXPRESS_REQUIRE_CHROMIUM, so CI never skips this.
const skip = !hasChromium() && process.env["WSGI_EXPRESS_REQUIRE_CHROMIUM"] !== "1";

/** A page that writes the protocol its own navigation used into the DOM. */
const PAGE = `<!DOCTYPE html><html><head><title>h2</title></head><body>
<p id="protocol">none</p>
<script>
document.getElementById("protocol").textContent =
  "protocol=" + performance.getEntriesByType("navigation")[0].nextHopProtocol;
</script></body></html>
`;

test("--http2: headless Chromium loads a page over h2", { skip }, async (t) => {
  const certs = makeCertificates();
  const root = tempDir("wsgi-express-h2-browser-");
  mkdirSync(join(root, "docs"));
  writeFileSync(join(root, "docs", "page.html"), PAGE);
  const server = await startServer([
    app("hello.wsgi"),
    ...httpsArgs(certs, "--http2", "--document-root", join(root, "docs")),
  ]);
  t.after(() => server.stop());
  const port = httpsPort(server);
  const { stdout } = await run(
    "chromium",
    [
      ...["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
      ...["--disable-background-networking", "--disable-component-update", "--disable-sync"],
      "--ignore-certificate-errors",
      `--user-data-dir=${join(root, "profile")}`,
      "--host-resolver-rules=MAP localhost 127.0.0.1",
      "--dump-dom",
      `https://localhost:${port}/page.html`,
    ],
    { timeout: 60_000, maxBuffer: 1024 * 1024 },
  );
  assert.match(stdout, /protocol=h2</);
});
