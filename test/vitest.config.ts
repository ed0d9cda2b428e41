import { fileURLToPath } from 'node:url'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('..', import.meta.url))
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url))

// The browser build of the AWS SDK parses XML with DOMParser, which workerd lacks; the CJS
// build carries a pure-JS parser. The vitest plugin ignores wrangler.toml's [alias].
const alias = {
  '@aws-sdk/xml-builder': fromRoot('node_modules/@aws-sdk/xml-builder/dist-cjs/index.js'),
}

export default defineConfig({
  test: {
    root,
    projects: [
      {
        // Pure modules: no I/O, no runtime bindings, run in Node for speed.
        test: {
          name: 'unit',
          root,
          include: ['test/{contract,edge-cache,origin,schemas,workers}/**/*.test.ts'],
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
                TEST_MIGRATIONS: await readD1Migrations(fromRoot('schemas/config/migrations')),
                CONFIG_TTL_MS: '0',
                // Test-only values: the bootstrap admin token and a short purge bound.
                ADMIN_TOKEN: 'test-admin-token',
                PURGE_STALENESS_MS: '200',
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          root,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/origin-server.ts', 'test/setup/s3.ts'],
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
