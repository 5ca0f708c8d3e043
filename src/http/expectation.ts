/**
 * The Expect request header, as Apache 2.4 takes it (server/protocol.c,
 * ap_check_request_header): a value other than `100-continue` (compared whole, without
 * case) is an expectation the server cannot meet, answered 417 and the connection closed
 * (the request's input is left unusable). node's own test is looser (`100-continue`
 * anywhere in the value), so every value is checked here.
 */
import type { IncomingHttpHeaders } from "node:http";

/** True when the request carries an Expect the server cannot meet (RFC 9110 §10.1.1). */
export function unmetExpectation(headers: IncomingHttpHeaders): boolean {
  const expect = headers.expect;
  if (expect === undefined || expect === "") return false;
  return expect.toLowerCase() !== "100-continue";
}

/** Apache's 417 page text (http_protocol.c, get_canned_error_string), the value escaped. */
export function expectationFailedText(expect: string | undefined): string {
  const sent =
    expect === undefined
      ? "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n"
      : "<p>The expectation given in the Expect request-header\nfield could not be met by this server.\n" +
        `The client sent<pre>\n    Expect: ${escapeHtml(expect)}\n</pre>\n`;
  return `${sent}</p><p>Only the 100-continue expectation is supported.</p>\n`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
