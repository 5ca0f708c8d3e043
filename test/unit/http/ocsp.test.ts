import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  SingleResponse,
} from "@peculiar/asn1-ocsp";
import {
  OcspStapler,
  ocspRequest,
  refreshTime,
  responderUrl,
  RETRY_MS,
} from "../../../src/http/ocsp.js";

/** A self-signed certificate's DER, naming `responder` as its OCSP responder if given. */
function certificate(responder: string | null): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "wsgi-express-ocsp-"));
  const out = join(dir, "c.crt");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", join(dir, "c.key"), "-out", out, "-subj", "/CN=ocsp", "-days", "2"],
      ...(responder ? ["-addext", `authorityInfoAccess=OCSP;URI:${responder}`] : []),
    ],
    { stdio: "ignore" },
  );
  return new X509Certificate(readFileSync(out)).raw;
}

/** An OCSP response (unsigned: the stapler does not check it) valid until `next`. */
function response(next: Date | null, status = OCSPResponseStatus.successful): Buffer {
  const single = new SingleResponse({
    certID: new CertID({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: "1.3.14.3.2.26" }),
      issuerNameHash: new OctetString(20),
      issuerKeyHash: new OctetString(20),
      serialNumber: new Uint8Array([1]).buffer,
    }),
    certStatus: new CertStatus({ good: null }),
    thisUpdate: new Date(0),
    ...(next ? { nextUpdate: next } : {}),
  });
  const basic = new BasicOCSPResponse({
    tbsResponseData: new ResponseData({
      responderID: new ResponderID({ byKey: new KeyHash(20) }),
      producedAt: new Date(0),
      responses: [single],
    }),
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
    signature: new Uint8Array(8).buffer,
  });
  const bytes = new ResponseBytes({
    responseType: id_pkix_ocsp_basic,
    response: new OctetString(AsnConvert.serialize(basic)),
  });
  const whole = new OCSPResponse({
    responseStatus: status,
    ...(status === OCSPResponseStatus.successful ? { responseBytes: bytes } : {}),
  });
  return Buffer.from(AsnConvert.serialize(whole));
}

const CERT = certificate("http://127.0.0.1:9/ocsp");

test("responderUrl and the request: the responder named by the certificate, its serial asked for", () => {
  assert.equal(responderUrl(new X509Certificate(CERT)), "http://127.0.0.1:9/ocsp");
  assert.equal(responderUrl(new X509Certificate(certificate(null))), null);
  const request = AsnConvert.parse(ocspRequest(CERT, CERT), OCSPRequest);
  const [asked] = request.tbsRequest.requestList;
  const serial = Buffer.from(asked?.reqCert.serialNumber ?? new ArrayBuffer(0)).toString("hex");
  assert.equal(
    serial.toUpperCase().replace(/^0+/, ""),
    new X509Certificate(CERT).serialNumber.replace(/^0+/, ""),
  );
  assert.equal(asked?.reqCert.issuerNameHash.byteLength, 20);
});

test("refreshTime: a minute before nextUpdate; error statuses are not stapled", () => {
  const next = new Date(10 * 60_000);
  assert.deepEqual(refreshTime(response(next), 0), { until: 9 * 60_000, expires: 10 * 60_000 });
  assert.deepEqual(refreshTime(response(null), 5), { until: 5 + RETRY_MS, expires: 5 + RETRY_MS });
  assert.equal(refreshTime(response(null, OCSPResponseStatus.tryLater), 0), null);
});

test("OcspStapler caches until nextUpdate, keeps a valid response while the responder is away", async (t) => {
  mock.timers.enable({ apis: ["Date"], now: 0 });
  t.after(() => {
    mock.timers.reset();
  });
  const answers: (Buffer | Error)[] = [];
  const asked: string[] = [];
  const logged: string[] = [];
  const stapler = new OcspStapler(
    (url) => {
      asked.push(url);
      const next = answers.shift();
      return next instanceof Error || next === undefined
        ? Promise.reject(next ?? new Error("nothing"))
        : Promise.resolve(next);
    },
    () => Date.now(),
    (message) => logged.push(message),
  );
  const first = response(new Date(10 * 60_000));
  answers.push(first);
  // Two handshakes at once: one fetch.
  const [a, b] = await Promise.all([stapler.staple(CERT, CERT), stapler.staple(CERT, CERT)]);
  assert.equal(a, first);
  assert.equal(b, first);
  assert.deepEqual(asked, ["http://127.0.0.1:9/ocsp"]);
  mock.timers.tick(8 * 60_000);
  assert.equal(await stapler.staple(CERT, CERT), first);
  assert.equal(asked.length, 1);
  // Past the refresh time the responder is asked again; it is away: the held one stays.
  mock.timers.tick(60_000 + 1);
  answers.push(new Error("ECONNREFUSED"));
  assert.equal(await stapler.staple(CERT, CERT), first);
  assert.equal(asked.length, 2);
  assert.match(logged[0] ?? "", /ECONNREFUSED; retrying in a minute/);
  // Within the retry minute nothing is asked; the response has expired: none stapled.
  mock.timers.tick(59_999);
  assert.equal(await stapler.staple(CERT, CERT), null);
  assert.equal(asked.length, 2);
  // Back: a fresh response.
  mock.timers.tick(1_000);
  const second = response(new Date(30 * 60_000));
  answers.push(second);
  assert.equal(await stapler.staple(CERT, CERT), second);
  // No issuer known: nothing to ask with; no responder named: nothing, said once.
  const other = certificate(null);
  assert.equal(await stapler.staple(other, null), null);
  assert.equal(await stapler.staple(other, other), null);
  assert.equal(await stapler.staple(other, other), null);
  assert.equal(logged.filter((line) => /names no OCSP responder/.test(line)).length, 1);
  assert.equal(asked.length, 3);
});
