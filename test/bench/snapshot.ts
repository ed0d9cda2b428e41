/**
 * @module bench/snapshot
 * A copy of the Worker's sources for a long run: `wrangler dev` rebuilds and restarts workerd
 * whenever a source file changes, so a run started from a snapshot is not reloaded mid-way by
 * edits made while it runs.
 */
import { execFileSync } from 'node:child_process'
import { cp, mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'

/** What `wrangler dev` builds and runs the platform from. */
const SOURCES = [
  'workers',
  'edge-cache',
  'origin',
  'schemas',
  'wrangler.toml',
  'package.json',
  'tsconfig.json',
  // wrangler.toml's [build] command: copies the dashboard's uPlot in from node_modules.
  '.scripts/build-dashboard.mjs',
]

/**
 * Copies the Worker's sources as they are now into `<work>/snapshot`, with node_modules linked
 * in. No secrets (.dev.vars).
 * @param work a temporary directory the caller removes
 * @returns the snapshot's directory: run `wrangler dev` from there
 */
export async function snapshotSources(work: string): Promise<string> {
  const dir = join(work, 'snapshot')
  await mkdir(dir)
  for (const entry of SOURCES) await cp(entry, join(dir, entry), { recursive: true })
  await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'))
  return dir
}

/**
 * The same sources as committed at `revision`, into `<work>/<name>`, with this tree's
 * node_modules linked in (so both sides of a comparison run on one runtime). Entries the
 * revision lacks are left out.
 * @throws Error when git does not know the revision
 */
export async function snapshotRevision(
  work: string,
  revision: string,
  name: string
): Promise<string> {
  const dir = join(work, name)
  await mkdir(dir)
  const present = execFileSync('git', ['ls-tree', '--name-only', '-r', revision, '--', ...SOURCES])
    .toString()
    .split('\n')
    .filter(Boolean)
  const archive = execFileSync('git', ['archive', revision, '--', ...present], {
    maxBuffer: 1 << 30,
  })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'))
  return dir
}
