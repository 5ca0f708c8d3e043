/**
 * `--error-log-format`: Apache's ErrorLogFormat string (core documentation,
 * "ErrorLogFormat"; server/log.c), parsed once at start-up into items that
 * src/log/error-log-format.ts renders for each line.
 *
 * The syntax kept from Apache: `%%`; `%X` and `%{arg}X` items; the modifiers between
 * `%` and the letter: a digit 0-9 (the item is only written when the line's level is at
 * least that verbose: 7 is debug), `-` (an empty item is written as `-`) and `+` (an
 * empty item drops the whole line); a space is a field separator, `\ ` a space that
 * is not one, and `% ` a field separator that writes nothing. An item that comes out
 * empty without `-` removes its whole field (as in `[client\ %a]`).
 */
import { WsgiExpressError } from "../errors.js";

export type ErrorLogItem =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "separator"; readonly text: string }
  | {
      readonly kind: "item";
      readonly letter: string;
      readonly argument: string | null;
      readonly hyphen: boolean;
      readonly required: boolean;
      /** The least verbose level (0 emerg ... 7 debug) the item is written at; null: all. */
      readonly minLevel: number | null;
    };

/**
 * Every item letter Apache's ErrorLogFormat knows, and the `{arguments}` it accepts
 * (null: any argument, a header or variable name; [] none). Items about a request or a
 * connection (%a, %L, %{name}i ...) come out empty on our lines, which are about the
 * server, its processes and the application's output, as Apache's are outside a request.
 */
const LETTERS: Readonly<Record<string, readonly string[] | null>> = {
  a: ["c"],
  A: [],
  e: null,
  E: [],
  F: [],
  i: null,
  k: [],
  l: [],
  L: ["c", "C"],
  m: [],
  M: [],
  n: null,
  P: [],
  T: ["g"],
  t: ["u", "c", "cu"],
  v: [],
  V: [],
};

/** Items that must be given `{name}`. */
const NEEDS_ARGUMENT = new Set(["e", "i", "n"]);

export function parseErrorLogFormat(format: string): readonly ErrorLogItem[] {
  const items: ErrorLogItem[] = [];
  let text = "";
  const flush = (): void => {
    if (text !== "") items.push({ kind: "text", text });
    text = "";
  };
  let at = 0;
  while (at < format.length) {
    const char = format[at] ?? "";
    if (char === "\\" && format[at + 1] === " ") {
      text += " ";
      at += 2;
    } else if (char === " ") {
      flush();
      items.push({ kind: "separator", text: " " });
      at += 1;
    } else if (char !== "%") {
      text += char;
      at += 1;
    } else if (format[at + 1] === "%") {
      text += "%";
      at += 2;
    } else if (format[at + 1] === " ") {
      flush();
      items.push({ kind: "separator", text: "" });
      at += 2;
    } else {
      flush();
      const parsed = parseItem(format, at);
      items.push(parsed.item);
      at = parsed.end;
    }
  }
  flush();
  return items;
}

function parseItem(format: string, start: number): { item: ErrorLogItem; end: number } {
  let at = start + 1;
  let hyphen = false;
  let required = false;
  let minLevel: number | null = null;
  for (;;) {
    const char = format[at] ?? "";
    if (char === "-") hyphen = true;
    else if (char === "+") required = true;
    else if (/^[0-9]$/.test(char)) minLevel = Number(char);
    else break;
    at += 1;
  }
  let argument: string | null = null;
  if (format[at] === "{") {
    const close = format.indexOf("}", at);
    if (close < 0) throw formatError(`an unclosed '{' in ${quoted(format.slice(start))}`);
    argument = format.slice(at + 1, close);
    at = close + 1;
  }
  const letter = format[at] ?? "";
  const directive = format.slice(start, at + 1);
  const allowed = LETTERS[letter];
  if (letter === "" || allowed === undefined) {
    throw formatError(`unknown directive ${quoted(directive)}`);
  }
  if (argument === null && NEEDS_ARGUMENT.has(letter)) {
    throw formatError(`directive ${quoted(directive)} needs a {name}`);
  }
  if (argument !== null && allowed !== null && !allowed.includes(argument)) {
    throw formatError(`directive ${quoted(directive)} does not take {${argument}}`);
  }
  return { item: { kind: "item", letter, argument, hyphen, required, minLevel }, end: at + 1 };
}

function quoted(text: string): string {
  return `'${text}'`;
}

function formatError(problem: string): WsgiExpressError {
  return new WsgiExpressError("WSGIX_ERR_OPTION_VALUE", `--error-log-format: ${problem}`);
}
