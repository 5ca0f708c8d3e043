import { test } from "node:test";
import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { Admission } from "../../../src/exchange/admission.js";

/** A response on no connection: the tests emit its events themselves. */
const response = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));

test("past the limit requests wait, and run as slots free", () => {
  const admission = new Admission(1);
  const started: string[] = [];
  const first = response();
  admission.admit(first, () => started.push("first"));
  admission.admit(response(), () => started.push("second"));
  assert.deepEqual(started, ["first"]);
  assert.equal(admission.queued, 1);
  first.emit("finish");
  first.emit("close");
  assert.deepEqual(started, ["first", "second"]);
  assert.equal(admission.inProgress, 1);
});

test("leave gives the slot back before the response ends, once only", () => {
  const admission = new Admission(1);
  const started: string[] = [];
  let leaveFirst = (): void => undefined;
  const first = response();
  admission.admit(first, (leave) => {
    leaveFirst = leave;
    started.push("first");
  });
  admission.admit(response(), () => started.push("second"));
  admission.admit(response(), () => started.push("third"));
  leaveFirst();
  assert.deepEqual(started, ["first", "second"]);
  // Its end later frees nothing more: the second still holds the one slot.
  leaveFirst();
  first.emit("close");
  assert.deepEqual(started, ["first", "second"]);
  assert.equal(admission.inProgress, 1);
});

test("a request whose client left while it waited never runs", () => {
  const admission = new Admission(1);
  const started: string[] = [];
  const first = response();
  admission.admit(first, () => started.push("first"));
  const gone = response();
  admission.admit(gone, () => started.push("gone"));
  admission.admit(response(), () => started.push("third"));
  gone.destroyed = true;
  first.emit("close");
  assert.deepEqual(started, ["first", "third"]);
});
