/**
 * @module test/setup/s3
 * vitest global setup for the workers project: finds the local S3 server (moto, started by
 * `.scripts/s3-moto.sh start`) and hands its endpoint and keys to tests running inside workerd
 * with `inject('s3')`. `npm test` starts moto when it is installed; when it is not, tests
 * that need it skip and say how (`bash .scripts/s3-moto.sh install`).
 * `S3_ENDPOINT`/`S3_REGION`/`S3_KEY`/`S3_SECRET` in the environment win over moto's
 * `.s3/moto/state/credentials.env` (`S3_DIR` moves that directory, as in the script).
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

/** Endpoint and keys of a reachable S3 server, or why there is none. */
export type S3TestServer =
  | {
      available: true
      endpoint: string
      region: string
      accessKeyId: string
      secretAccessKey: string
    }
  | { available: false; reason: string }

export default async function setup(project: TestProject): Promise<void> {
  project.provide('s3', await findS3())
}

async function findS3(): Promise<S3TestServer> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const dir = process.env.S3_DIR ?? '.s3/moto'
  const file = join(isAbsolute(dir) ? dir : join(root, dir), 'state', 'credentials.env')
  let vars: Record<string, string> = {}
  try {
    vars = parseEnv(await readFile(file, 'utf8'))
  } catch {
    // no file: only the environment can name a server
  }
  const pick = (name: string) => process.env[name] || vars[name]
  const endpoint = pick('S3_ENDPOINT')
  const accessKeyId = pick('S3_KEY')
  const secretAccessKey = pick('S3_SECRET')
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    return { available: false, reason: `no S3 server: ${file} is missing` }
  }
  try {
    // Any HTTP answer (moto's is 403 without a signature) means the server is up.
    await fetch(endpoint, { signal: AbortSignal.timeout(2000) })
  } catch {
    return {
      available: false,
      reason: `S3 server ${endpoint} is not answering (moto stopped?)`,
    }
  }
  return {
    available: true,
    endpoint,
    region: pick('S3_REGION') || 'us-east-1',
    accessKeyId,
    secretAccessKey,
  }
}

function parseEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line)
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2].replace(/^'(.*)'$/, '$1')
  }
  return vars
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestServer
  }
}
