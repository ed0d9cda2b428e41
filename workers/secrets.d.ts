/**
 * Secrets the Worker reads. They are set with `wrangler secret put` (locally: `.dev.vars`), so
 * `wrangler types` cannot see them in wrangler.toml; they are declared here instead.
 */
declare namespace Cloudflare {
  interface Env {
    /** The bootstrap admin token. Unset, the admin API answers 503 `admin_disabled`. */
    ADMIN_TOKEN?: string
    /** Analytics Engine SQL API access (ANALYTICS_SOURCE = "engine"): account id, API token. */
    ANALYTICS_ACCOUNT_ID?: string
    ANALYTICS_API_TOKEN?: string
    /** A Cloudflare API token with Cache Purge permission: purges are forwarded when set. */
    CLOUDFLARE_API_TOKEN?: string
  }
}

interface Env {
  /** The bootstrap admin token. Unset, the admin API answers 503 `admin_disabled`. */
  ADMIN_TOKEN?: string
  /** Analytics Engine SQL API access (ANALYTICS_SOURCE = "engine"): account id, API token. */
  ANALYTICS_ACCOUNT_ID?: string
  ANALYTICS_API_TOKEN?: string
  /** A Cloudflare API token with Cache Purge permission: purges are forwarded when set. */
  CLOUDFLARE_API_TOKEN?: string
}
