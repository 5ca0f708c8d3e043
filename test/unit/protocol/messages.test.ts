import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FrameDecoder, ProtocolError, encodeBodyFile } from "../../../src/protocol/frames.js";
import {
  decodeErrorMessage,
  decodeResponseHead,
  encodeEnvironBase,
  encodeRequestHead,
} from "../../../src/protocol/messages.js";

interface Vectors {
  requestHeads: {
    name: string;
    id: string;
    base: number;
    requestStart: number;
    queueStart: number;
    expectContinue: boolean;
    environ: [string, string][];
    payload: string;
  }[];
  responseHeads: { name: string; status: string; headers: [string, string][]; payload: string }[];
  badResponseHeads: { name: string; payload: string }[];
  bodyFiles: { name: string; path: string; length: number; payload: string }[];
}

// Shared with python/_wsgi_express/messages.py: both sides must agree byte for byte.
const vectorsPath = fileURLToPath(
  new URL("../../../../test/vectors/messages.json", import.meta.url),
);
const vectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as Vectors;
const payloadOf = (frame: Buffer): Buffer => {
  const [decoded] = new FrameDecoder().push(frame);
  assert.ok(decoded);
  return decoded.payload;
};

for (const v of vectors.requestHeads) {
  test(`writes a REQUEST_HEAD: ${v.name}`, () => {
    const frame = encodeRequestHead({ ...v, environ: Object.fromEntries(v.environ) });
    assert.equal(payloadOf(frame).toString("hex"), v.payload);
  });
}

for (const v of vectors.bodyFiles) {
  test(`writes a REQUEST_BODY_FILE: ${v.name}`, () => {
    assert.equal(payloadOf(encodeBodyFile(v.path, v.length)).toString("hex"), v.payload);
  });
}

for (const v of vectors.responseHeads) {
  test(`reads a RESPONSE_HEAD: ${v.name}`, () => {
    assert.deepEqual(decodeResponseHead(Buffer.from(v.payload, "hex")), {
      status: v.status,
      headers: v.headers,
    });
  });
}

for (const v of vectors.badResponseHeads) {
  test(`refuses a RESPONSE_HEAD: ${v.name}`, () => {
    assert.throws(
      () => decodeResponseHead(Buffer.from(v.payload, "hex")),
      (error: unknown) => error instanceof ProtocolError && error.reason === "bad-message",
    );
  });
}

test("only the environ's own keys go in a REQUEST_HEAD; its base goes once, as JSON", () => {
  const base = { DOCUMENT_ROOT: "/srv", "wsgi.url_scheme": "http" };
  const environ = Object.assign(Object.create(base) as Record<string, string>, {
    PATH_INFO: "/x",
  });
  const head = encodeRequestHead({
    id: "9",
    base: 2,
    environ,
    requestStart: 1.5,
    queueStart: 1.5,
    expectContinue: false,
  });
  assert.equal(payloadOf(head).toString("latin1"), "9\x002\x001.5\x001.5\x000\x00PATH_INFO\x00/x");
  assert.deepEqual(JSON.parse(payloadOf(encodeEnvironBase(2, base)).toString("utf8")), {
    base: 2,
    environ: base,
  });
});

test("a value beyond latin-1 goes as its UTF-8 bytes, as Apache passes configured names", () => {
  const head = encodeRequestHead({
    id: "1",
    base: 1,
    environ: { SERVER_NAME: "łódź.example" },
    requestStart: 1.5,
    queueStart: 1.5,
    expectContinue: false,
  });
  // The whole value goes as UTF-8 bytes once any of it is beyond latin-1.
  assert.ok(payloadOf(head).includes(Buffer.from("SERVER_NAME\0łódź.example", "utf8")));
});

test("a NUL inside an environ value is refused, never sent as a separator", () => {
  assert.throws(
    () =>
      encodeRequestHead({
        id: "1",
        base: 1,
        environ: { PATH_INFO: "/a\0HTTP_X\0y" },
        requestStart: 1.5,
        queueStart: 1.5,
        expectContinue: false,
      }),
    (error: unknown) => error instanceof ProtocolError && /NUL/.test(error.message),
  );
});

test("RESPONSE_ERROR says whether the daemon logged it already", () => {
  const decode = (fields: object) => decodeErrorMessage(Buffer.from(JSON.stringify(fields)));
  assert.deepEqual(decode({ message: "boom", logged: true }), { message: "boom", logged: true });
  assert.deepEqual(decode({ message: "the client went away" }), {
    message: "the client went away",
    logged: false,
  });
});
