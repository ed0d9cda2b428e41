/**
 * @module bench/snapshot
 * A copy of the Worker's sources for a long run: `wrangler dev` rebuilds and restarts workerd
 * whenever a source file changes, so a run started from a snapshot is not reloaded mid-way by
 * edits made while it runs.
 */
import { cp, mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Copies the Worker's sources as they are now into `<work>/snapshot`, with node_modules linked
 * in. No secrets (.dev.vars).
 * @param work a temporary directory the caller removes
 * @returns the snapshot's directory: run `wrangler dev` from there
 */
export async function snapshotSources(work: string): Promise<string> {
  const dir = join(work, 'snapshot')
  await mkdir(dir)
  for (const entry of [
    'workers',
    'edge-cache',
    'origin',
    'schemas',
    'wrangler.toml',
    'package.json',
    'tsconfig.json',
    // wrangler.toml's [build] command: copies the dashboard's uPlot in from node_modules.
    '.scripts/build-dashboard.mjs',
  ]) {
    await cp(entry, join(dir, entry), { recursive: true })
  }
  await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'))
  return dir
}
