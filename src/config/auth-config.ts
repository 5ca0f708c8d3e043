/** The access and authentication scripts' settings (resolve-auth.ts; used by src/auth/). */

export interface AuthConfig {
  /** Absolute path of the script defining allow_access(environ, host); null: none. */
  readonly hostAccessScript: string | null;
  /** Absolute path of the script defining check_password (Basic) or get_realm_hash
   *  (Digest); null: no authentication. */
  readonly userScript: string | null;
  readonly type: "Basic" | "Digest";
  /** The realm of the challenge: `HOST:PORT`, as mod_wsgi-express's AuthName. */
  readonly realm: string;
  /** Absolute path of the script defining groups_for_user; null: any valid user. */
  readonly groupScript: string | null;
  /** The group a user must be in when there is a group script (`Require wsgi-group`). */
  readonly group: string;
}
