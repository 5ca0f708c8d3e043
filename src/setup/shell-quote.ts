/** Quotes a word for /bin/sh: inside single quotes only `'` itself needs care. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
