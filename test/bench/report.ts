/**
 * The bench's results file shape and its markdown summary.
 */
import type { WrkResult } from './wrk'

export interface Config {
  durationS: number
  warmupS: number
  connections: number
  threads: number
  bigBytes: number
  slowReadBps: number
  collapseN: number
  collapseDelayMs: number
  nginxWorkers: string
}

export interface Scenario extends WrkResult {
  id: string
  target: 'edge' | 'bare' | 'nginx'
  size: string
  /** utime + stime of the server's processes (`cpuProcesses`) over the run ÷ requests. */
  cpuMsPerRequest: number
  /** The same over every process of the server's process group (wrangler's Node too). */
  groupCpuMsPerRequest: number
  cpuProcesses: string
  /** A measured process exited or started during the row (its CPU figure is then unreliable). */
  restarted?: boolean
  /** Requests the origin saw during the measured run. */
  originRequests: number
  /** The first (up to 20) of them. */
  originTargets: string[]
  /** One request of the same shape before the run: what each cache layer did. */
  probe: { status: number; cacheStatus: string; bytes: number; intact: boolean }
}

export interface Results {
  date: string
  machine: { nproc: number; cpuModel: string; memTotalMiB: number; kernel: string }
  versions: Record<string, string>
  config: Config
  notes: string[]
  scenarios: Scenario[]
  bundle?: { files: string[]; rawBytes: number; gzipBytes: number }
  startup?: {
    edge: { spawnToFirstAnswerMs: number; withMigrationsMs: number }
    bare?: { spawnToFirstAnswerMs: number }
  }
  collapse?: Array<{
    size: string
    requests: number
    pops: number
    originDelayMs: number
    originFetches: number
    singleRequestMs: number
    singleOriginFetches: number
    lastByteMs: number
    p50Ms: number
    complete: number
    answers: Record<string, number>
  }>
  memory?: {
    objectBytes: number
    readBps: number
    workerdProcesses: number
    baselineRssBytes: number
    peakRssBytes: number
    /**
     * A second cold stream of the object, with a full GC forced through the inspector once a
     * second: what is live (JS heap + ArrayBuffer backing stores) rather than what the local
     * collector has not yet freed. Absent when the inspector did not answer.
     */
    live?: {
      samples: number
      heapBeforeBytes: number
      peakHeapBytes: number
      heapAfterBytes: number
      backingBeforeBytes: number
      peakBackingBytes: number
      backingAfterBytes: number
      peakRssBytes: number
    }
    originFetches: number
    clients: Array<{
      status: number
      cacheStatus: string
      bytes: number
      intact: boolean
      seconds: number
      error?: string
    }>
  }
}

const LABELS: Record<string, string> = {
  'l1-hit': 'ours: L1 hit',
  'l1-hit-gzip-text': 'ours: L1 hit, gzip from nginx (Accept-Encoding: gzip)',
  'l1-hit-identity-text': 'ours: L1 hit, same bytes uncompressed',
  'tier-hit': 'ours: tier hit (L1 miss)',
  miss: 'ours: miss → origin',
  'bare-hit': 'bare Worker: Cache API hit',
  'nginx-hit': 'nginx proxy_cache: hit',
  'nginx-miss': 'nginx proxy_cache: miss → origin',
}
const ORDER = [
  'l1-hit',
  'l1-hit-gzip-text',
  'l1-hit-identity-text',
  'bare-hit',
  'nginx-hit',
  'tier-hit',
  'miss',
  'nginx-miss',
]
/** Which reference each of our rows is divided by. */
const VS_BARE: Record<string, string> = { 'l1-hit': 'bare-hit' }
const VS_NGINX: Record<string, string> = {
  'l1-hit': 'nginx-hit',
  'tier-hit': 'nginx-hit',
  miss: 'nginx-miss',
}

const f = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–'
const mib = (bytes: number) => `${f(bytes / 2 ** 20, 1)} MiB`
const kib = (bytes: number) => `${f(bytes / 1024, 0)} KiB`

/** A ratio with two significant digits below 10 (0.0057, 0.81, 4.2), whole above. */
const x = (n: number) =>
  !Number.isFinite(n) ? '–' : n >= 10 ? f(n, 0) : String(Number(n.toPrecision(2)))

function ratio(ours: Scenario, ref: Scenario | undefined): string {
  if (!ref) return '–'
  return `${x(ours.reqPerSec / ref.reqPerSec)}× req/s · ${x(ours.p50Ms / ref.p50Ms)}× p50`
}

/** The most frequent Cache-Status of the run and its share; nginx rows: the probe's. */
function answeredAs(s: Scenario): string {
  const kinds = Object.entries(s.cacheStatuses ?? {}).sort((a, b) => b[1] - a[1])
  const top = kinds[0]
  if (!top) return `\`${s.probe.cacheStatus}\` (probe)`
  const total = kinds.reduce((sum, [, n]) => sum + n, 0)
  return `${f((100 * top[1]) / total, 1)}% \`${top[0] || '(none)'}\``
}

/** Non-200 answers (by status when counted) and socket errors, or '' when there were none. */
function problems(s: Scenario): string {
  const parts: string[] = []
  if (s.statuses) {
    for (const [status, n] of Object.entries(s.statuses)) {
      if (status !== '200') parts.push(`${n} × ${status}`)
    }
  } else if (s.errors.status > 0) parts.push(`${s.errors.status} × 4xx/5xx`)
  const socket = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout
  if (socket > 0) parts.push(`${socket} socket errors`)
  if (s.restarted) parts.push('server process restarted during the row')
  return parts.join(', ')
}

/** The most frequent answers that were not a 200, e.g. `; others: 600 × error: socket hang up`. */
function failures(answers: Record<string, number>): string {
  const bad = Object.entries(answers)
    .filter(([kind]) => !kind.startsWith('200 '))
    .slice(0, 3)
    .map(([kind, n]) => `${n} × \`${kind}\``)
  return bad.length > 0 ? `; others: ${bad.join(', ')}` : ''
}

export function report(r: Results): string {
  const lines: string[] = []
  const v = r.versions
  lines.push(
    `Run ${r.date} on ${r.machine.nproc} × ${r.machine.cpuModel} (${f(r.machine.memTotalMiB / 1024, 0)} GiB RAM, Linux ${r.machine.kernel}); ` +
      `Node ${v.node}, wrangler ${v.wrangler} (workerd ${v.workerd}), nginx ${v.nginx ?? 'n/a'} ` +
      `(worker_processes ${r.config.nginxWorkers}), wrk ${v.wrk}. ` +
      `wrk: ${r.config.threads} thread(s), ${r.config.connections} connections, ` +
      `${r.config.warmupS} s warm-up + ${r.config.durationS} s per row, over loopback.`,
    ''
  )
  if (r.scenarios.length > 0) {
    lines.push(
      '| object | path | req/s | p50 ms | p99 ms | server CPU ms/req | origin reqs | answered as (Cache-Status) | ours ÷ bare Worker | ours ÷ nginx |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |'
    )
    for (const size of [...new Set(r.scenarios.map((s) => s.size))]) {
      const rows = r.scenarios.filter((s) => s.size === size)
      const byId = new Map(rows.map((s) => [s.id, s]))
      for (const id of ORDER) {
        const s = byId.get(id)
        if (!s) continue
        const errors = problems(s)
        const bare = VS_BARE[id]
        const nginx = VS_NGINX[id]
        lines.push(
          `| ${size} | ${LABELS[id] ?? id} | ${f(s.reqPerSec, 0)}${errors ? ` (${errors})` : ''} | ` +
            `${f(s.p50Ms, 2)} | ${f(s.p99Ms, 2)} | ${f(s.cpuMsPerRequest, 3)} | ${s.originRequests} | ${answeredAs(s)} | ` +
            `${bare ? ratio(s, byId.get(bare)) : ''} | ${nginx ? ratio(s, byId.get(nginx)) : ''} |`
        )
      }
    }
    lines.push('')
  }
  lines.push('| measure | result |', '| --- | --- |')
  if (r.bundle) {
    lines.push(
      `| bundle (\`wrangler deploy --dry-run\`) | ${kib(r.bundle.rawBytes)} raw, ${kib(r.bundle.gzipBytes)} gzipped (${r.bundle.files.join(', ')}) |`
    )
  }
  if (r.startup) {
    lines.push(
      `| start: \`wrangler dev\` spawn → first HTTP answer | ours ${f(r.startup.edge.spawnToFirstAnswerMs, 0)} ms` +
        `${r.startup.bare ? `, bare Worker ${f(r.startup.bare.spawnToFirstAnswerMs, 0)} ms` : ''}` +
        ` (ours incl. applying D1 migrations first: ${f(r.startup.edge.withMigrationsMs, 0)} ms) |`
    )
  }
  if (r.memory) {
    const m = r.memory
    const clients = m.clients
      .map(
        (c) =>
          `${c.status} ${c.intact ? 'intact' : `NOT intact (${c.bytes} B${c.error ? `, ${c.error}` : ''}; \`${c.cacheStatus}\`)`} in ${f(c.seconds, 0)} s`
      )
      .join('; ')
    lines.push(
      `| memory: workerd RSS (sum of ${m.workerdProcesses} processes), ${mib(m.objectBytes)} to 2 clients reading at ${f(m.readBps / 1e6, 0)} MB/s each | ` +
        `baseline ${mib(m.baselineRssBytes)}, peak ${mib(m.peakRssBytes)} (+${mib(m.peakRssBytes - m.baselineRssBytes)}); clients: ${clients}; origin fetches ${m.originFetches} |`
    )
    if (m.live) {
      lines.push(
        `| memory: the same stream again (another cold copy), a GC forced through the inspector once a second (${m.live.samples} samples) | ` +
          `V8 heap in use: before ${mib(m.live.heapBeforeBytes)}, peak ${mib(m.live.peakHeapBytes)}, 5 s after ${mib(m.live.heapAfterBytes)}; ` +
          `ArrayBuffer backing stores (freed by workerd after the GC): before ${mib(m.live.backingBeforeBytes)}, peak ${mib(m.live.peakBackingBytes)}, 5 s after ${mib(m.live.backingAfterBytes)}; ` +
          `workerd RSS peak ${mib(m.live.peakRssBytes)} |`
      )
    }
  }
  for (const c of r.collapse ?? []) {
    lines.push(
      `| collapsing: ${c.requests} concurrent cold requests, one ${c.size} key, ${c.pops} PoPs of one region (origin waits ${c.originDelayMs} ms) | ` +
        `origin fetches **${c.originFetches}**; last waiter's last byte ${f(c.lastByteMs, 0)} ms vs one cold request ${f(c.singleRequestMs, 0)} ms ` +
        `(${x(c.lastByteMs / c.singleRequestMs)}×), median ${f(c.p50Ms, 0)} ms; ${c.complete}/${c.requests} complete and intact${failures(c.answers)} |`
    )
  }
  for (const note of r.notes) lines.push('', `Note: ${note}`)
  return `${lines.join('\n')}\n`
}
