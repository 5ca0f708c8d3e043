/**
 * The targets of issue #6, checked against one run's summaries. A target whose peer
 * did not run is reported as "not measured", never as met.
 */
import { mib } from "./render.js";
import type { Summary } from "./stats.js";

type Lookup = (app: string, peer: string) => Summary | null;

interface Target {
  readonly text: string;
  readonly check: (get: Lookup) => { met: boolean; detail: string } | null;
}

const FLAT_GROWTH = 32 * 1024 * 1024;

function rpsAtLeast(app: string, peer: string, factor: number): Target {
  return {
    text: `${app}: requests/s at least ${factor}x ${peer}`,
    check: (get) => {
      const wx = get(app, "wsgi-express");
      const other = get(app, peer);
      if (!wx || !other) return null;
      const ratio = wx.rps / other.rps;
      return { met: ratio >= factor, detail: `${ratio.toFixed(2)}x` };
    },
  };
}

function frontEndFlat(app: string): Target {
  return {
    text: `${app}: front-end memory stays flat (node process grows < 32 MiB under load)`,
    check: (get) => {
      const wx = get(app, "wsgi-express");
      if (!wx) return null;
      const growth = wx.peakRootRss - wx.idleRootRss;
      return {
        met: growth < FLAT_GROWTH,
        detail: `${mib(wx.idleRootRss)} -> ${mib(wx.peakRootRss)}`,
      };
    },
  };
}

export const TARGETS: readonly Target[] = [
  rpsAtLeast("hello", "gunicorn-gthread", 1.5),
  rpsAtLeast("hello", "mod_wsgi", 2),
  {
    text: "hello: server CPU per request at most 2x the plain Node.js server's",
    check: (get) => {
      const wx = get("hello", "wsgi-express");
      const node = get("hello", "node-http");
      if (!wx || !node) return null;
      const ratio = wx.cpuUsPerRequest / node.cpuUsPerRequest;
      return { met: ratio <= 2, detail: `${ratio.toFixed(2)}x` };
    },
  },
  rpsAtLeast("flask_json", "gunicorn-gthread", 1),
  rpsAtLeast("flask_json", "uwsgi-http-socket", 1),
  rpsAtLeast("big_response", "gunicorn-gthread", 1),
  frontEndFlat("big_response"),
  rpsAtLeast("echo_upload", "gunicorn-gthread", 1),
  frontEndFlat("echo_upload"),
  {
    text: "idle memory (hello): front end plus 2 daemons within 1.5x mod_wsgi daemon mode's RSS",
    check: (get) => {
      const wx = get("hello", "wsgi-express");
      const apache = get("hello", "mod_wsgi");
      if (!wx || !apache) return null;
      const ratio = wx.idleRss / apache.idleRss;
      return {
        met: ratio <= 1.5,
        detail: `${mib(wx.idleRss)} vs ${mib(apache.idleRss)}: ${ratio.toFixed(2)}x`,
      };
    },
  },
];

export function renderTargets(get: Lookup): string {
  const lines = ["| target (issue #6) | result | measured |", "| --- | --- | --- |"];
  for (const target of TARGETS) {
    const outcome = target.check(get);
    const result = outcome ? (outcome.met ? "met" : "**not met**") : "not measured";
    lines.push(`| ${target.text} | ${result} | ${outcome?.detail ?? "-"} |`);
  }
  return lines.join("\n");
}
