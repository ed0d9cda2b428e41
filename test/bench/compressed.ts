/**
 * The bench's compressed-text rows (issue 19): Debian's nginx with `gzip on; gzip_vary on` as
 * the origin of a script, through its own `wrangler dev` in proxy mode, asked for with
 * `Accept-Encoding: gzip` from one PoP; next to it the same bytes as an uncompressed object
 * (a type nginx does not gzip). Each row reports its L1 hit share (the Cache-Status of every
 * response) and its throughput, in the main table.
 */
import { startNginx } from '../support/nginx'
import { startEdge } from '../support/wrangler-dev'
import { getBody, pop } from './clients'
import { cpuMs, groupPids, wranglerGroup } from './procs'
import type { Config, Scenario } from './report'
import { wrk } from './wrk'

/** About 50 KiB of script text, which gzip shrinks as it does real bundles. */
const SCRIPT = Buffer.from(
  Array.from(
    { length: 1100 },
    (_, i) => `export const f${i} = (x) => x * ${i} + ${(i * 7919) % 1000} // ${i}\n`
  ).join('')
)
export const TEXT_SIZE = `${Math.round(SCRIPT.length / 1024)} KiB text (nginx origin)`

const HOME = pop('FRA')
const GZIP_CLIENT = { ...HOME, 'accept-encoding': 'gzip' }

/**
 * @param config the bench's settings
 * @param work a scratch directory
 * @param snapshot the source snapshot wrangler runs from
 * @param log progress to stderr
 */
export async function compressedText(
  config: Config,
  work: string,
  snapshot: string,
  log: (message: string) => void
): Promise<Scenario[]> {
  log('compressed text: starting nginx (gzip on) and a platform in front of it')
  const nginx = await startNginx({ 'app.js': SCRIPT, 'app.bin': SCRIPT }, 'public, max-age=86400')
  const edge = await startEdge({ vars: { ORIGIN_URL: nginx.url }, cwd: snapshot }).catch(
    async (error: unknown) => {
      await nginx.stop()
      throw error
    }
  )
  try {
    const pgid = wranglerGroup(Number(new URL(edge.url).port))
    const rows: Scenario[] = []
    for (const [id, path] of [
      ['l1-hit-gzip-text', '/app.js'],
      ['l1-hit-identity-text', '/app.bin'],
    ] as const) {
      // A chunked gzip answer has no length on the miss: L1 keeps it from the tier hit on.
      let probe = await getBody(`${edge.url}${path}`, GZIP_CLIENT)
      for (let i = 0; i < 5 && !/^edge-l1; hit/.test(probe.cacheStatus); i++) {
        probe = await getBody(`${edge.url}${path}`, GZIP_CLIENT)
      }
      log(`${id} on edge`)
      const base = {
        url: edge.url,
        path,
        headers: GZIP_CLIENT,
        shape: { kind: 'static' } as const,
        connections: config.connections,
        threads: config.threads,
        dir: work,
        countStatuses: true,
      }
      if (config.warmupS > 0) await wrk({ ...base, durationS: config.warmupS }, `${id}-w`)
      const pids = groupPids(pgid, 'workerd')
      const all = groupPids(pgid)
      const [cpuBefore, allBefore] = [cpuMs(pids), cpuMs(all)]
      const result = await wrk({ ...base, durationS: config.durationS }, id)
      rows.push({
        id,
        target: 'edge',
        size: TEXT_SIZE,
        ...result,
        cpuMsPerRequest: (cpuMs(pids) - cpuBefore) / result.requests,
        groupCpuMsPerRequest: (cpuMs(all) - allBefore) / result.requests,
        cpuProcesses: 'workerd',
        // nginx keeps no count here: the answers that no cache layer hit went to it.
        originRequests: Object.entries(result.cacheStatuses ?? {})
          .filter(([status]) => !status.includes('hit'))
          .reduce((sum, [, n]) => sum + n, 0),
        originTargets: [],
        probe: { ...probe, intact: probe.bytes > 0 },
      })
    }
    return rows
  } finally {
    await edge.stop()
    await nginx.stop()
  }
}
