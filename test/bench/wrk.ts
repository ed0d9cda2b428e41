/**
 * Drives `wrk` (Debian's) with a generated Lua script per request shape, and reads its summary
 * back as JSON from the script's `done` hook.
 *
 * Shapes:
 * - `static`: one URL and header set, repeated (wrk's fastest path: no Lua per request);
 * - `tier`: `?i=<n>` over `objects` URLs pre-filled in the tier, each from a PoP (colo) that
 *   has never asked for it: request n of the run goes to URL n mod objects at colo
 *   `<prefix><n div objects>`, so L1 always misses (a fresh PoP cache) and the tier hits;
 * - `unique`: `?n=<run>-<thread>-<n>`, a URL nobody asked for: a miss everywhere.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export type Shape =
  | { kind: 'static' }
  | { kind: 'tier'; objects: number; coloPrefix: string; country: string; continent: string }
  | { kind: 'unique'; runId: string }

export interface WrkOptions {
  url: string
  /** Path without query. */
  path: string
  headers: Record<string, string>
  shape: Shape
  durationS: number
  connections: number
  threads: number
  /** Where to write the Lua script. */
  dir: string
  /**
   * Count responses by status and Cache-Status (and keep the first non-2xx body) in a Lua
   * `response` hook. It
   * costs wrk a Lua call per response, so the bench uses it only for the Worker rows, which
   * run at a few hundred requests per second.
   */
  countStatuses?: boolean
}

export interface WrkResult {
  requests: number
  durationS: number
  bytes: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  maxMs: number
  /** Socket errors (connect, read, write, timeout) and HTTP statuses above 399. */
  errors: { connect: number; read: number; write: number; timeout: number; status: number }
  /** With `countStatuses`: responses per status, and the start of the first non-2xx body. */
  statuses?: Record<string, number>
  /** With `countStatuses`: responses per Cache-Status value (ttl blanked). */
  cacheStatuses?: Record<string, number>
  firstError?: string
}

/** A Lua string literal that needs no escaping. */
const lua = (text: string) => `[==[${text}]==]`

function script(options: WrkOptions): string {
  const headerTable = `{ ${Object.entries(options.headers)
    .map(([k, v]) => `[ ${lua(k)} ] = ${lua(v)}`)
    .join(', ')} }`
  const statuses = `
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
counter = 0
${
  options.countStatuses
    ? `statuses = {}
kinds = {}
first_error = ""
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local kind = headers["cache-status"] or headers["Cache-Status"] or headers["cf-cache-status"] or headers["CF-Cache-Status"] or ""
  kind = string.gsub(kind, "ttl=%-?%d+", "ttl=N")
  kinds[kind] = (kinds[kind] or 0) + 1
  if status >= 300 and first_error == "" then
    first_error = tostring(status) .. " " .. string.sub(string.gsub(body or "", '[^%w%s%p]', ''), 1, 300)
  end
end`
    : ''
}
local function clean(text)
  return (string.gsub(string.gsub(text, '[%c"\\\\]', ' '), '%s+', ' '))
end
local function statuses_json()
  local parts, first, kinds_by_name = {}, "", {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts then
      for status, n in pairs(counts) do table.insert(parts, '"' .. status .. '":' .. n) end
    end
    local k = thread:get("kinds")
    if k then
      for kind, n in pairs(k) do kinds_by_name[kind] = (kinds_by_name[kind] or 0) + n end
    end
    local e = thread:get("first_error")
    if e and e ~= "" and first == "" then first = e end
  end
  local kind_parts = {}
  for kind, n in pairs(kinds_by_name) do table.insert(kind_parts, '"' .. clean(kind) .. '":' .. n) end
  return '{' .. table.concat(parts, ',') .. '}', clean(first), '{' .. table.concat(kind_parts, ',') .. '}'
end
`
  const done = `
function done(summary, latency, requests)
  local e = summary.errors
  local counts, first, kinds_json = statuses_json()
  io.write(string.format('WRK_STATUS {"statuses":%s,"first_error":"%s","kinds":%s}\\n', counts, first, kinds_json))
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
`
  const { shape } = options
  if (shape.kind === 'static') {
    return `${statuses}
wrk.method = "GET"
wrk.path = ${lua(options.path)}
for k, v in pairs(${headerTable}) do wrk.headers[k] = v end
${done}`
  }
  if (shape.kind === 'tier') {
    return `${statuses}
function request()
  local i = counter * ${options.threads} + tid
  counter = counter + 1
  local object = i % ${shape.objects}
  local colo = ${lua(shape.coloPrefix)} .. math.floor(i / ${shape.objects})
  local headers = ${headerTable}
  headers["mf-cf-blob"] = '{"colo":"' .. colo .. '","country":"${shape.country}","continent":"${shape.continent}"}'
  return wrk.format("GET", ${lua(options.path)} .. "?i=" .. object, headers)
end
${done}`
  }
  return `${statuses}
local headers = ${headerTable}
function request()
  counter = counter + 1
  return wrk.format("GET", ${lua(options.path)} .. "?n=${shape.runId}-" .. tid .. "-" .. counter, headers)
end
${done}`
}

export async function wrk(options: WrkOptions, name: string): Promise<WrkResult> {
  const file = join(options.dir, `${name}.lua`)
  await writeFile(file, script(options))
  const { stdout, stderr } = await run(
    'wrk',
    [
      '-t',
      String(options.threads),
      '-c',
      String(options.connections),
      '-d',
      `${options.durationS}s`,
      '--timeout',
      '10s',
      '-s',
      file,
      options.url,
    ],
    { maxBuffer: 16 * 1024 * 1024 }
  )
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}\n${stderr}`)
  const raw = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>
  const statusLine = stdout.split('\n').find((l) => l.startsWith('WRK_STATUS '))
  const counted = statusLine
    ? (JSON.parse(statusLine.slice('WRK_STATUS '.length)) as {
        statuses: Record<string, number>
        first_error: string
        kinds: Record<string, number>
      })
    : undefined
  const n = (key: string) => raw[key] ?? 0
  const durationS = n('duration_us') / 1e6
  return {
    requests: n('requests'),
    durationS,
    bytes: n('bytes'),
    reqPerSec: n('requests') / durationS,
    p50Ms: n('p50_us') / 1000,
    p99Ms: n('p99_us') / 1000,
    meanMs: n('mean_us') / 1000,
    maxMs: n('max_us') / 1000,
    errors: {
      connect: n('connect'),
      read: n('read'),
      write: n('write'),
      timeout: n('timeout'),
      status: n('status'),
    },
    ...(options.countStatuses && counted
      ? {
          statuses: counted.statuses,
          cacheStatuses: counted.kinds,
          firstError: counted.first_error || undefined,
        }
      : {}),
  }
}
