import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { configDefaults, defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('..', import.meta.url))
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url))

// The browser build of the AWS SDK parses XML with DOMParser, which workerd lacks; the CJS
// build carries a pure-JS parser. The vitest plugin ignores wrangler.toml's [alias].
const alias = {
  '@aws-sdk/xml-builder': fromRoot('node_modules/@aws-sdk/xml-builder/dist-cjs/index.js'),
}

/** `import sql from './0000_init.sql'` as wrangler.toml's `[[rules]] type = "Text"` loads it. */
const sqlAsText = {
  name: 'sql-as-text',
  transform(code: string, id: string) {
    return id.endsWith('.sql') ? `export default ${JSON.stringify(code)}` : undefined
  },
}

/**
 * The local S3 server's keys as Worker secrets, so S3 origins in tests resolve their secret
 * names (S3_TEST_KEY / S3_TEST_SECRET). Empty when moto is not running: those tests skip.
 */
function s3TestSecrets(): Record<string, string> {
  const vars: Record<string, string> = {}
  try {
    const file = readFileSync(fromRoot('.s3/moto/state/credentials.env'), 'utf8')
    for (const line of file.split('\n')) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
      if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2]
    }
  } catch {
    // no moto state: the environment may still name a server
  }
  const key = process.env.S3_KEY || vars.S3_KEY
  const secret = process.env.S3_SECRET || vars.S3_SECRET
  return key && secret ? { S3_TEST_KEY: key, S3_TEST_SECRET: secret } : {}
}

/** What every workerd project binds: migrations, local-only settings, the test admin token. */
async function localBindings(): Promise<Record<string, unknown>> {
  return {
    TEST_MIGRATIONS: await readD1Migrations(fromRoot('schemas/config/migrations')),
    CONFIG_TTL_MS: '0',
    // workerd has no Durable Object jurisdictions (wrangler.toml: on for deploys).
    TIER_JURISDICTIONS: 'off',
    ADMIN_TOKEN: 'test-admin-token',
  }
}

export default defineConfig({
  test: {
    root,
    projects: [
      {
        // Unit tests, in Node for speed: `test/<dir>/<file>.test.ts` tests `<dir>/<file>.ts`
        // (test/scripts/test-tree.test.ts holds the tree to that). A unit that needs the runtime
        // (Cache API, Durable Object SQLite, R2) is `<file>.workerd.test.ts`: `workers` runs it.
        // Durable Object migrations import their SQL as text, as wrangler's Text rule does.
        plugins: [sqlAsText],
        test: {
          name: 'unit',
          root,
          include: ['test/{contract,edge-cache,origin,schemas,scripts,workers}/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.workerd.test.ts'],
          environment: 'node',
        },
      },
      {
        // Integration: the real Worker, Durable Objects, D1, R2 and Cache API inside workerd.
        resolve: { alias },
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: fromRoot('wrangler.toml') },
            miniflare: {
              bindings: {
                ...(await localBindings()),
                ...s3TestSecrets(),
                // The purge bound the integration purge tests wait out.
                // What origin config may name here: the local S3 server's keys, the origin buckets.
                ORIGIN_SECRETS:
                  'S3_TEST_KEY,S3_TEST_SECRET,ORIGIN_SIGNING_KEY_1,ORIGIN_SIGNING_KEY_2',
                ORIGIN_BUCKETS: 'ORIGIN_BUCKET,TEST_ORIGIN_EU',
                // Authenticated origin pulls: two signing keys, for rotation (in ORIGIN_SECRETS).
                ORIGIN_SIGNING_KEY_1: 'test-signing-key-one',
                ORIGIN_SIGNING_KEY_2: 'test-signing-key-two',
                PURGE_STALENESS_MS: '200',
                // Analytics batches flushed at once rather than every 10 s, so tests need not
                // wait; test/e2e/analytics.test.ts runs the default.
                ANALYTICS_FLUSH_MS: '1',
                // Small tier shards so capacity tests fill them; R2 for bodies over 1 MiB.
                TIER_SHARD_BUDGET_BYTES: '8388608',
                TIER_R2_THRESHOLD_BYTES: '1048576',
              },
              // A second origin bucket, the EU one of test/integration/r2-regional-origin.test.ts.
              r2Buckets: ['TEST_ORIGIN_EU'],
            },
          })),
        ],
        test: {
          name: 'workers',
          root,
          include: [
            'test/integration/**/*.test.ts',
            'test/{edge-cache,origin,schemas,workers}/**/*.workerd.test.ts',
          ],
          exclude: ['test/integration/defaults/**'],
          globalSetup: ['test/setup/origin-server.ts', 'test/setup/s3.ts'],
          setupFiles: ['test/setup/apply-migrations.ts'],
        },
      },
      {
        // Integration with the tier's default shard budget, for bodies larger than `workers`'
        // 8 MiB shards hold (residency of 20 MiB and 200 MiB objects).
        resolve: { alias },
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: fromRoot('wrangler.toml') },
            miniflare: {
              bindings: {
                ...(await localBindings()),
                TIER_R2_THRESHOLD_BYTES: '1048576',
              },
            },
          })),
        ],
        test: {
          name: 'workers-defaults',
          root,
          include: ['test/integration/defaults/**/*.test.ts'],
          globalSetup: ['test/setup/origin-server.ts'],
          setupFiles: ['test/setup/apply-migrations.ts'],
        },
      },
      {
        // End to end: `wrangler dev` on a free port, real HTTP over loopback.
        test: {
          name: 'e2e',
          root,
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
