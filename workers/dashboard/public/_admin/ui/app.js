/**
 * @module dashboard/app
 * The operator dashboard: signs in with a token kept in sessionStorage (never in a URL), reads
 * the admin API (analytics, config, audit) and purges through it. No build step and no script
 * from another site: uPlot is served beside this file (copied from node_modules at build).
 */
const API = '/_admin'
const TOKEN_KEY = 'edge-cdn-admin-token'
const COLORS = ['#2f6fdf', '#1a9c5b', '#e0822d', '#8c5bd6', '#c23b5a', '#3aa6b9', '#7a7f87']
const $ = (id) => document.getElementById(id)
const charts = new Map()

async function api(path, init = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY)
  const headers = { authorization: `Bearer ${token}`, ...(init.headers ?? {}) }
  const res = await fetch(`${API}${path}`, { ...init, headers })
  const body = await res
    .json()
    .catch(() => ({ success: false, errors: [{ message: res.statusText }] }))
  if (!res.ok) {
    const message = (body.errors ?? []).map((e) => e.message).join('; ') || res.statusText
    throw new Error(`${res.status}: ${message}`)
  }
  return body.result
}

function text(value) {
  return document.createTextNode(String(value))
}

function table(id, columns, rows) {
  const el = $(id)
  el.replaceChildren()
  const head = el.createTHead().insertRow()
  for (const [label, , numeric] of columns) {
    const th = document.createElement('th')
    th.append(text(label))
    if (numeric) th.className = 'n'
    head.append(th)
  }
  const body = el.createTBody()
  for (const row of rows) {
    const tr = body.insertRow()
    for (const [, read, numeric] of columns) {
      const td = tr.insertCell()
      td.append(text(read(row)))
      if (numeric) td.className = 'n'
    }
  }
}

function bytes(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/**
 * Draws (or redraws) a time chart of named series over the report's time axis. `range` fixes
 * the y axis (a ratio's chart stops at 100%, not at uPlot's padded 150%).
 */
function chart(id, times, series, format = (v) => v, range = undefined) {
  const el = $(id)
  charts.get(id)?.destroy()
  const names = Object.keys(series)
  const options = {
    width: Math.max(360, el.clientWidth || 420),
    height: 200,
    series: [
      {},
      ...names.map((name, i) => ({
        label: name,
        stroke: COLORS[i % COLORS.length],
        fill: `${COLORS[i % COLORS.length]}22`,
        points: { show: true, size: 4 },
        spanGaps: true,
        value: (_, v) => (v == null ? '–' : format(v)),
      })),
    ],
    axes: [{}, { values: (_, ticks) => ticks.map(format) }],
    ...(range ? { scales: { y: { range } } } : {}),
  }
  const data = [times, ...names.map((name) => series[name])]
  charts.set(id, new uPlot(options, data, el))
  el.dataset.total = String(
    names.reduce((sum, n) => sum + series[n].reduce((a, b) => a + (b ?? 0), 0), 0)
  )
}

/** Requests per group over the whole window: exact counts, beside the charts that plot them. */
function groupTotals(report) {
  const totals = new Map()
  for (const point of report.series) {
    for (const [key, n] of Object.entries(point.groups)) totals.set(key, (totals.get(key) ?? 0) + n)
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([group, requests]) => ({ group, requests }))
}

function countsTable(id, label, report) {
  table(
    id,
    [
      [label, (r) => r.group || '(none)'],
      ['Requests', (r) => r.requests, true],
    ],
    groupTotals(report)
  )
  for (const row of $(id).tBodies[0].rows) row.dataset.group = row.cells[0].textContent
}

function grouped(report) {
  const keys = new Set(report.series.flatMap((p) => Object.keys(p.groups)))
  const series = {}
  for (const key of [...keys].sort())
    series[key || '(none)'] = report.series.map((p) => p.groups[key] ?? 0)
  return series
}

async function analytics(zone, since, by) {
  return api(`/zones/${encodeURIComponent(zone)}/analytics?since=${since}&by=${by}&top=10`)
}

async function refresh() {
  const zone = $('zone').value
  const since = $('window').value
  if (!zone) return
  const [byLayer, byStatus, byRegion, byColo] = await Promise.all(
    ['layer', 'status', 'region', 'colo'].map((by) => analytics(zone, since, by))
  )
  const times = byLayer.series.map((p) => Date.parse(p.t) / 1000)
  const t = byLayer.totals
  $('tiles').replaceChildren(
    ...[
      ['Requests', t.requests],
      ['Hit ratio', `${(t.hitRatio * 100).toFixed(1)} %`],
      ['Served', bytes(t.bytesToClient)],
      ['From origin', bytes(t.bytesFromOrigin)],
      ['Origin cost saved', `$${byLayer.costSaved.totalUsd.toFixed(4)}`],
    ].map(([label, value]) => {
      const tile = document.createElement('div')
      tile.className = 'tile'
      const b = document.createElement('b')
      b.append(text(value))
      tile.append(b, text(label))
      tile.dataset.name = label
      return tile
    })
  )
  chart('chart-layer', times, grouped(byLayer))
  chart(
    'chart-hit-ratio',
    times,
    {
      'hit ratio': byLayer.series.map((p) => (p.requests ? p.hits / p.requests : null)),
    },
    (v) => `${Math.round(v * 100)}%`,
    [0, 1]
  )
  chart(
    'chart-bytes',
    times,
    {
      served: byLayer.series.map((p) => p.bytesToClient),
      'from origin': byLayer.series.map((p) => p.bytesFromOrigin),
    },
    bytes
  )
  chart('chart-status', times, grouped(byStatus))
  chart('chart-region', times, grouped(byRegion))
  chart('chart-colo', times, grouped(byColo))
  countsTable('counts-layer', 'Layer', byLayer)
  countsTable('counts-region', 'Region', byRegion)
  const top = byLayer.top
  table(
    'top-urls',
    [
      ['URL', (r) => r.url],
      ['Requests', (r) => r.requests, true],
      ['Bytes', (r) => bytes(r.bytesToClient), true],
    ],
    top.urls
  )
  table(
    'top-missing',
    [
      ['URL', (r) => r.url],
      ['Misses', (r) => r.misses, true],
    ],
    top.missingUrls
  )
  table(
    'top-origins',
    [
      ['Origin', (r) => r.origin],
      ['Requests', (r) => r.requests, true],
      ['From origin', (r) => bytes(r.bytesFromOrigin), true],
      ['From cache', (r) => bytes(r.bytesFromCache), true],
    ],
    top.origins
  )
  table(
    'cost-saved',
    [
      ['Region', (r) => r.region],
      ['Origin', (r) => r.origin],
      ['$/GB', (r) => r.usdPerGb, true],
      ['Avoided', (r) => bytes(r.bytesAvoided.l1 + r.bytesAvoided.tier), true],
      ['Saved $', (r) => r.savedUsd.toFixed(4), true],
    ],
    byLayer.costSaved.rows
  )
  await Promise.all([showConfig(zone), showOriginHealth(zone)])
}

function lastProbe(probe) {
  if (!probe) return '–'
  const outcome = probe.ok ? 'ok' : (probe.reason ?? 'bad')
  return `${outcome}${probe.status ? ` ${probe.status}` : ''}, ${probe.ms} ms`
}

/** Each origin's health as each region's active monitor sees it (origin/health-monitor.ts). */
async function showOriginHealth(zone) {
  const z = encodeURIComponent(zone)
  const origins = await api(`/zones/${z}/origins`).catch(() => [])
  const reports = await Promise.all(
    origins.map((o) =>
      api(`/zones/${z}/origins/${encodeURIComponent(o.name)}/health`).catch(() => undefined)
    )
  )
  const rows = reports.filter(Boolean).flatMap((report) =>
    Object.entries(report.regions)
      .filter(([, health]) => health.monitored)
      .map(([region, health]) => ({ origin: report.origin, region, ...health }))
  )
  table(
    'origin-health',
    [
      ['Origin', (r) => r.origin],
      ['Region', (r) => r.region],
      ['State', (r) => (r.healthy ? 'up' : 'down')],
      ['Since', (r) => (r.since ? new Date(r.since).toISOString() : '–')],
      ['Last probe', (r) => lastProbe(r.probes[0])],
    ],
    rows
  )
  $('origin-health-empty').hidden = rows.length > 0
}

async function showConfig(zone) {
  const z = encodeURIComponent(zone)
  const parts = await Promise.allSettled([
    api(`/zones/${z}`),
    api(`/zones/${z}/origins`),
    api(`/zones/${z}/routes`),
    api(`/zones/${z}/residency-rules`),
    api(`/audit?zone=${z}&limit=50`),
  ])
  const value = (i) =>
    parts[i].status === 'fulfilled' ? parts[i].value : `(${parts[i].reason.message})`
  $('config').textContent = JSON.stringify(
    { zone: value(0), origins: value(1), routes: value(2), residencyRules: value(3) },
    null,
    2
  )
  const audit = Array.isArray(value(4)) ? value(4) : []
  table(
    'audit',
    [
      ['When', (r) => r.at],
      ['Who', (r) => r.actor],
      ['What', (r) => `${r.method} ${r.path}`],
    ],
    audit
  )
}

async function purge(event) {
  event.preventDefault()
  const kind = $('purge-kind').value
  const values = $('purge-values')
    .value.split('\n')
    .map((v) => v.trim())
    .filter(Boolean)
  const body = kind === 'purge_everything' ? { purge_everything: true } : { [kind]: values }
  if ($('purge-soft').checked) body.soft = true
  const out = $('purge-result')
  out.className = ''
  try {
    const result = await api(`/zones/${encodeURIComponent($('zone').value)}/purge_cache`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    out.textContent = `purged: ${JSON.stringify(result)}`
    out.dataset.outcome = 'ok'
  } catch (error) {
    out.textContent = `failed: ${error.message}`
    out.className = 'error'
    out.dataset.outcome = 'error'
  }
}

async function start() {
  const zones = await api('/zones')
  $('zone').replaceChildren(
    ...zones.map((z) => {
      const option = document.createElement('option')
      option.value = z.name
      option.append(text(z.name))
      return option
    })
  )
  $('sign-in').hidden = true
  $('app').hidden = false
  $('zone-form').hidden = false
  await refresh()
  document.body.dataset.ready = 'true'
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  sessionStorage.setItem(TOKEN_KEY, $('token').value)
  $('token').value = ''
  try {
    await start()
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY)
    $('sign-in-error').textContent = error.message
  }
})
$('zone-form').addEventListener('submit', (event) => {
  event.preventDefault()
  refresh().catch((error) => ($('purge-result').textContent = error.message))
})
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY)
  location.reload()
})
$('purge-form').addEventListener('submit', purge)
if (sessionStorage.getItem(TOKEN_KEY)) start().catch(() => sessionStorage.removeItem(TOKEN_KEY))
