/**
 * `$VAR` / `${VAR}` expansion of every command-line word, as mod_wsgi-express does with
 * Python's os.path.expandvars() before parsing: names are ASCII word characters, and a
 * variable that is not set is left exactly as written.
 */

type Environment = Readonly<Record<string, string | undefined>>;

// posixpath.expandvars: re.compile(r'\$(\w+|\{[^}]*\})', re.ASCII)
const VARIABLE = /\$(\w+|\{[^}]*\})/g;

export function expandVars(word: string, env: Environment): string {
  if (!word.includes("$")) return word;
  return word.replace(VARIABLE, (whole, name: string) => {
    const key = name.startsWith("{") ? name.slice(1, -1) : name;
    return Object.hasOwn(env, key) ? (env[key] ?? whole) : whole;
  });
}

export function expandAll(words: readonly string[], env: Environment): string[] {
  return words.map((word) => expandVars(word, env));
}
