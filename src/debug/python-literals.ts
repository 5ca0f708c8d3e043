/**
 * Reads the CGI variables back out of a recorder `.iheaders` file: Python's pprint of
 * the WSGI environ. Only `'NAME': 'string'` entries are taken (pprint splits a long
 * string into adjacent literals in parentheses, which are joined); the objects
 * (wsgi.input, ...) are not literals and are skipped.
 */

const LITERAL = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
const ENTRY = new RegExp(String.raw`'([A-Z][A-Z0-9_]*)': \(?((?:\s*${LITERAL})+)`, "g");
const ONE_LITERAL = new RegExp(LITERAL, "g");

export function readCgiVariables(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const [, name = "", literals = ""] of text.matchAll(ENTRY)) {
    const parts = [...literals.matchAll(ONE_LITERAL)].map(([literal]) => unquote(literal));
    variables.set(name, parts.join(""));
  }
  return variables;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  r: "\r",
  t: "\t",
};

/** A Python str repr -> its value (repr only uses these escapes). */
export function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)/g, (_, escape: string) => {
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) return simple;
    if (/^[xuU]/.test(escape)) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return `\\${escape}`;
  });
}
