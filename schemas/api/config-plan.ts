/**
 * @module api/config-plan
 * What `npm run config:apply` must do to make the admin API's state equal a config file: the
 * PUTs of what is new or differs and the DELETEs of what the file no longer lists, ordered so
 * that every step is valid when it runs (origins before the routes that use them; routes gone
 * before their origins go; zones that free hosts before zones that take them). Pure.
 */

/** One zone as the file states it, or as the API holds it (specs as stored: validated). */
export interface ZoneState {
  hosts: readonly string[]
  origins: Readonly<Record<string, unknown>>
  routes: Readonly<Record<string, unknown>>
  residencyRules: Readonly<Record<string, unknown>>
}

export interface ConfigState {
  zones: Readonly<Record<string, ZoneState>>
}

/** The kinds of record under a zone: the state's key, the API's path segment, a label. */
export const RECORD_KINDS = [
  { key: 'origins', segment: 'origins', label: 'origin' },
  { key: 'routes', segment: 'routes', label: 'route' },
  { key: 'residencyRules', segment: 'residency-rules', label: 'residency rule' },
] as const

export interface Step {
  method: 'PUT' | 'DELETE'
  /** Below `/_admin`. */
  path: string
  /** The PUT body. */
  body?: unknown
  change: 'create' | 'update' | 'delete'
  /** `zone demo`, `route demo/all`. */
  what: string
}

/**
 * @param desired the file, parsed (defaults applied)
 * @param current what the API holds
 * @returns the steps, in the order they must run; empty when nothing differs
 */
export function planApply(desired: ConfigState, current: ConfigState): Step[] {
  const deletedZones: Step[] = []
  const updatedZones: Step[] = []
  const createdZones: Step[] = []
  const puts: Record<(typeof RECORD_KINDS)[number]['key'], Step[]> = {
    origins: [],
    routes: [],
    residencyRules: [],
  }
  const deletes: typeof puts = { origins: [], routes: [], residencyRules: [] }

  for (const zone of sortedKeys(current.zones)) {
    if (!(zone in desired.zones)) {
      deletedZones.push({
        method: 'DELETE',
        path: zonePath(zone),
        change: 'delete',
        what: `zone ${zone}`,
      })
    }
  }
  for (const zone of sortedKeys(desired.zones)) {
    const want = desired.zones[zone]
    if (!want) continue
    const have = current.zones[zone]
    // The API keeps each host once.
    const hosts = [...new Set(want.hosts)]
    if (!have || !sameJson(hosts, have.hosts)) {
      const step: Step = {
        method: 'PUT',
        path: zonePath(zone),
        body: { hosts },
        change: have ? 'update' : 'create',
        what: `zone ${zone}`,
      }
      if (have) updatedZones.push(step)
      else createdZones.push(step)
    }
    for (const kind of RECORD_KINDS) {
      const steps = recordSteps(zone, kind, want[kind.key], have?.[kind.key] ?? {})
      puts[kind.key].push(...steps.puts)
      deletes[kind.key].push(...steps.deletes)
    }
  }
  // A pool is written after the origins it names, and deleted before them.
  puts.origins.sort((a, b) => poolRank(a.body) - poolRank(b.body))
  deletes.origins.sort((a, b) => poolRank(b.body) - poolRank(a.body))
  for (const step of deletes.origins) delete step.body
  return [
    ...deletedZones,
    // A zone giving up a host goes before a zone taking it.
    ...updatedZones,
    ...createdZones,
    ...puts.origins,
    ...puts.routes,
    ...puts.residencyRules,
    ...deletes.routes,
    ...deletes.residencyRules,
    ...deletes.origins,
  ]
}

/**
 * One kind of record of one zone: a PUT for each record that is new or differs, a DELETE for
 * each record the file no longer lists.
 */
function recordSteps(
  zone: string,
  kind: (typeof RECORD_KINDS)[number],
  wanted: Readonly<Record<string, unknown>>,
  held: Readonly<Record<string, unknown>>
): { puts: Step[]; deletes: Step[] } {
  const puts: Step[] = []
  const deletes: Step[] = []
  for (const name of sortedKeys(wanted)) {
    const spec = wanted[name]
    if (name in held && sameJson(spec, held[name])) continue
    puts.push({
      method: 'PUT',
      path: `${zonePath(zone)}/${kind.segment}/${name}`,
      body: spec,
      change: name in held ? 'update' : 'create',
      what: `${kind.label} ${zone}/${name}`,
    })
  }
  for (const name of sortedKeys(held)) {
    if (name in wanted) continue
    deletes.push({
      method: 'DELETE',
      path: `${zonePath(zone)}/${kind.segment}/${name}`,
      change: 'delete',
      what: `${kind.label} ${zone}/${name}`,
      // Only to order the deletes: a pool goes before the origins it names.
      ...(kind.key === 'origins' && { body: held[name] }),
    })
  }
  return { puts, deletes }
}

/** 0 for a concrete origin, 1 for a pool, 2 for a pool with a fallback pool. */
function poolRank(spec: unknown): number {
  if (typeof spec !== 'object' || spec === null || Reflect.get(spec, 'kind') !== 'pool') return 0
  return Reflect.get(spec, 'fallback') === undefined ? 1 : 2
}

/**
 * Compares two JSON values regardless of key order.
 * @returns whether they serialize identically once keys are sorted
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)])
  )
}

function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(record).sort()
}

function zonePath(zone: string): string {
  return `/zones/${zone}`
}
