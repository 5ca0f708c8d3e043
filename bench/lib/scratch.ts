/**
 * The run's scratch directory under the system temp dir: the apps copied as NAME.py and
 * one directory per (app, peer). World-readable, because Apache's mod_wsgi daemons run
 * as www-data and must read the scripts; removed at the end of the run.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APPS, appSource } from "./apps.js";

export interface Scratch {
  readonly root: string;
  readonly appsDir: string;
  readonly dirFor: (app: string, peer: string) => string;
  readonly remove: () => void;
}

export function makeScratch(): Scratch {
  const root = mkdtempSync(join(tmpdir(), "wsgi-express-bench-"));
  chmodSync(root, 0o755);
  const appsDir = join(root, "apps");
  mkdirSync(appsDir, { mode: 0o755 });
  for (const app of APPS) {
    const target = join(appsDir, `${app.name}.py`);
    copyFileSync(appSource(app), target);
    chmodSync(target, 0o644);
  }
  return {
    root,
    appsDir,
    dirFor: (app, peer) => {
      const dir = join(root, `${app}-${peer}`);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      return dir;
    },
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A port free on 127.0.0.1 right now (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
