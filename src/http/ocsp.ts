/**
 * OCSP stapling (--ssl-use-stapling, Apache's SSLUseStapling): node's TLS server asks,
 * per handshake that carries a status_request, for a response to staple ('OCSPRequest'
 * event, with the server certificate and its issuer when the chain holds it). The
 * request is built and the response read with @peculiar/asn1-ocsp's schemas (RFC 6960);
 * the response is fetched over HTTP from the certificate's responder (its Authority
 * Information Access), cached until its nextUpdate and stapled as the responder signed
 * it: the client checks the signature, as with mod_ssl.
 *
 * Like mod_ssl (SSLStaplingReturnResponderErrors off, SSLStaplingFakeTryLater), a
 * responder that cannot be reached costs the handshake nothing: no response is stapled,
 * and the next attempt waits RETRY_MS.
 */
import { createHash, X509Certificate } from "node:crypto";
import { request } from "node:http";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";
import {
  BasicOCSPResponse,
  CertID,
  id_pkix_ocsp_basic,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
} from "@peculiar/asn1-ocsp";

/** SHA-1, the CertID hash every responder accepts (RFC 6960 §4.1.1, RFC 5019 §2.1.1). */
const SHA1 = "1.3.14.3.2.26";
/** After a failed fetch, or a response without nextUpdate: when to ask again. */
export const RETRY_MS = 60_000;
/** A response is refreshed this long before its nextUpdate. */
const EARLY_MS = 60_000;
/** How long a responder has to answer (the handshake waits for it the first time). */
export const FETCH_TIMEOUT_MS = 5_000;

/** The certificate's OCSP responder URL (http only), or null. */
export function responderUrl(certificate: X509Certificate): string | null {
  const match = /^OCSP - URI:(http:\/\/\S+)$/m.exec(certificate.infoAccess ?? "");
  return match?.[1] ?? null;
}

/** The DER OCSP request for `cert` (DER), issued by `issuer` (DER). */
export function ocspRequest(cert: Buffer, issuer: Buffer): Buffer {
  const subject = AsnConvert.parse(cert, Certificate).tbsCertificate;
  const issuerTbs = AsnConvert.parse(issuer, Certificate).tbsCertificate;
  const sha1 = (data: ArrayBuffer): OctetString =>
    new OctetString(createHash("sha1").update(Buffer.from(data)).digest());
  const reqCert = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1 }),
    issuerNameHash: sha1(AsnConvert.serialize(issuerTbs.subject)),
    issuerKeyHash: sha1(issuerTbs.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: subject.serialNumber,
  });
  const body = new OCSPRequest({
    tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert })] }),
  });
  return Buffer.from(AsnConvert.serialize(body));
}

/** When a successful response should be replaced and when it expires (ms since the
 *  epoch); null for one that must not be stapled (an error status, not a basic one). */
export function refreshTime(
  response: Buffer,
  now: number,
): { until: number; expires: number } | null {
  const parsed = AsnConvert.parse(response, OCSPResponse);
  const bytes = parsed.responseBytes;
  if (parsed.responseStatus !== OCSPResponseStatus.successful || !bytes) return null;
  if (bytes.responseType !== id_pkix_ocsp_basic) return null;
  const basic = AsnConvert.parse(bytes.response, BasicOCSPResponse);
  const next = basic.tbsResponseData.responses[0]?.nextUpdate;
  // No nextUpdate: newer information is always available (RFC 6960 §4.2.2.1).
  if (!next) return { until: now + RETRY_MS, expires: now + RETRY_MS };
  return {
    until: Math.max(now + RETRY_MS, next.getTime() - EARLY_MS),
    expires: next.getTime(),
  };
}

/** POSTs the request to the responder (RFC 6960 Appendix A.1). */
export type OcspFetch = (url: string, body: Buffer) => Promise<Buffer>;

export const httpFetch: OcspFetch = (url, body) =>
  new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "Content-Type": "application/ocsp-request", "Content-Length": body.length },
      timeout: FETCH_TIMEOUT_MS,
    });
    req.on("timeout", () => req.destroy(new Error("no answer in time")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks));
        else reject(new Error(`HTTP ${String(res.statusCode)}`));
      });
      res.on("error", reject);
    });
    req.end(body);
  });

interface Cached {
  readonly response: Buffer | null;
  /** Asked for again from then on. */
  readonly until: number;
  /** Its nextUpdate: never stapled after it. */
  readonly expires: number;
}

/** The responses of one listener's certificate, cached by the certificate's DER. */
export class OcspStapler {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<Buffer | null>>();

  constructor(
    private readonly fetch: OcspFetch,
    private readonly now: () => number,
    private readonly log: (message: string) => void,
  ) {}

  /** The response to staple for `cert`, or null (none known and none to be had now). */
  async staple(cert: Buffer, issuer: Buffer | null): Promise<Buffer | null> {
    const key = cert.toString("base64");
    const cached = this.cache.get(key);
    const now = this.now();
    if (cached && now < cached.until) return now < cached.expires ? cached.response : null;
    if (issuer === null) return null;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.refresh(key, cert, issuer).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private async refresh(key: string, cert: Buffer, issuer: Buffer): Promise<Buffer | null> {
    const url = responderUrl(new X509Certificate(cert));
    if (url === null) {
      const never = Number.POSITIVE_INFINITY;
      this.cache.set(key, { response: null, until: never, expires: never });
      this.log("OCSP stapling: the certificate names no OCSP responder (http); nothing stapled");
      return null;
    }
    try {
      const response = await this.fetch(url, ocspRequest(cert, issuer));
      const times = refreshTime(response, this.now());
      if (times === null) throw new Error("the responder answered with an error status");
      this.cache.set(key, { response, ...times });
      return response;
    } catch (error) {
      // The response held is stapled until its nextUpdate while the responder is away
      // (refreshes start EARLY_MS before it); after that, none.
      const held = this.cache.get(key);
      const now = this.now();
      const stale = held && now < held.expires ? held : null;
      this.cache.set(key, {
        response: stale?.response ?? null,
        until: now + RETRY_MS,
        expires: stale?.expires ?? now + RETRY_MS,
      });
      this.log(`OCSP stapling: ${url}: ${(error as Error).message}; retrying in a minute`);
      return stale?.response ?? null;
    }
  }
}
