/** The versions a benchmark run reports: Node and the installed runtime packages. */
import { readFile } from 'node:fs/promises'

async function installed(name: string): Promise<string> {
  const manifest = await readFile(`node_modules/${name}/package.json`, 'utf8')
  return (JSON.parse(manifest) as { version: string }).version
}

export async function runtimeVersions() {
  return {
    node: process.version,
    wrangler: await installed('wrangler'),
    miniflare: await installed('miniflare'),
    workerd: await installed('workerd').catch(() => 'unknown'),
  }
}
