/**
 * --telemetry-service: each sample to an external collector as one JSON line
 * (docs/telemetry.md). Node has no Unix datagram socket in core (node:dgram is UDP
 * only; a native addon would be the only way), so `unix:/path` is a Unix *stream*
 * socket carrying newline-separated JSON, and `udp:IP:PORT` sends one datagram a sample.
 * Fire and forget, as mod_wsgi's telemetry is: no collector listening, or a slow one,
 * costs samples, never the server; a lost stream connection is tried again at the next
 * sample.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { connect, type Socket } from "node:net";
import type { TelemetryTarget } from "../config/resolve-telemetry.js";
import type { Sample } from "./sample.js";

/** Bytes a stream collector may fall behind by before samples are dropped. */
const STREAM_BACKLOG = 1024 * 1024;

export interface Collector {
  send(sample: Sample): void;
  close(): void;
}

export function openCollector(target: TelemetryTarget): Collector {
  return target.kind === "udp"
    ? new UdpCollector(target.host, target.port)
    : new StreamCollector(target.path);
}

/** The line a sample travels as. */
export function sampleLine(sample: Sample): string {
  return `${JSON.stringify({ type: "sample", ...sample })}\n`;
}

class UdpCollector implements Collector {
  private readonly socket: UdpSocket;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    this.socket.on("error", () => undefined);
    this.socket.unref();
  }

  send(sample: Sample): void {
    this.socket.send(sampleLine(sample), this.port, this.host, () => undefined);
  }

  close(): void {
    this.socket.close();
  }
}

class StreamCollector implements Collector {
  private socket: Socket | null = null;
  private closed = false;

  constructor(private readonly path: string) {}

  send(sample: Sample): void {
    if (this.closed) return;
    const socket = this.socket ?? this.connect();
    if (socket.writableLength > STREAM_BACKLOG) return;
    socket.write(sampleLine(sample));
  }

  private connect(): Socket {
    const socket = connect(this.path);
    socket.unref();
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.socket === socket) this.socket = null;
    });
    // The collector says nothing back; whatever it sends is dropped.
    socket.resume();
    this.socket = socket;
    return socket;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }
}
