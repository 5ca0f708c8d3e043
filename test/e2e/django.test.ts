/**
 * Issue #22 item 6: `python manage.py runwsgiexpress` (python/django-wsgi-express) on a
 * real Django project made by the test: Django and the package pip-installed into a
 * fresh venv (PyPI), the server found through $WSGI_EXPRESS, static files served by the
 * front end from STATIC_ROOT, every other option passed on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, request, tempDir } from "./harness.js";

const PACKAGE = join(ROOT, "python", "django-wsgi-express");

/** A venv with Django and the package, and a project `site1` with one static file. */
function makeProject(): { python: string; project: string } {
  const dir = tempDir("wsgi-express-django-");
  execFileSync("python3", ["-m", "venv", join(dir, "venv")]);
  const python = join(dir, "venv", "bin", "python");
  const pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"];
  execFileSync(pip[0] ?? python, [...pip.slice(1), "Django", PACKAGE], { stdio: "inherit" });
  execFileSync(join(dir, "venv", "bin", "django-admin"), ["startproject", "site1", dir]);
  const settings = join(dir, "site1", "settings.py");
  appendFileSync(
    settings,
    [
      "",
      "INSTALLED_APPS += ['django_wsgi_express']",
      "STATIC_URL = '/assets/'",
      "STATIC_ROOT = BASE_DIR / 'collected'",
      "ALLOWED_HOSTS = ['*']",
      "",
    ].join("\n"),
  );
  mkdirSync(join(dir, "collected"));
  writeFileSync(join(dir, "collected", "hello.txt"), "static hello\n");
  return { python, project: dir };
}

test("runwsgiexpress serves the project: WSGI_APPLICATION, STATIC_URL/STATIC_ROOT, options passed on", async (t) => {
  const { python, project } = makeProject();
  const serverRoot = tempDir();
  const child = spawn(
    python,
    ["manage.py", "runwsgiexpress", "--host", "127.0.0.1", "--port", "0"].concat([
      "--server-root",
      serverRoot,
      "--threads",
      "2",
    ]),
    { cwd: project, env: { ...process.env, WSGI_EXPRESS: BIN }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  t.after(async () => {
    child.kill("SIGTERM");
    await exited;
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no banner in time\n${out}\n${err}`));
    }, 60_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /^Server URL\s*: (\S+)$/m.exec(out);
      if (match?.[1] && /^Application\s*:.*$/m.test(out)) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}\n${out}\n${err}`));
    });
  });
  // Passed on: --threads; the daemons run the venv's Python, where Django is.
  assert.match(out, /^Request Capacity\s*: 2 \(1 process \* 2 threads\)$/m);
  assert.match(out, new RegExp(`^Python Executable\\s*: ${python}$`, "m"));
  // The app: Django's admin redirects to its login page.
  const admin = await request(`${url}admin/`);
  assert.equal(admin.status, 302);
  assert.match(String(admin.headers.location), /\/admin\/login\/\?next=\/admin\//);
  // Static files from STATIC_ROOT at STATIC_URL, served by the front end: Django itself
  // serves nothing from STATIC_ROOT.
  const file = await request(`${url}assets/hello.txt`);
  assert.equal(file.status, 200);
  assert.equal(file.body.toString(), "static hello\n");
  // Replaced by the server (exec): SIGTERM stops it cleanly.
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});
