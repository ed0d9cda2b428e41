/**
 * @module api/config-file
 * The config-as-code file that `npm run config:apply` applies: every zone with its hosts,
 * origins, routes and residency rules, validated by the same schemas as the admin API, plus the
 * checks across records the API makes (a route names an origin of its zone; a host belongs to
 * one zone). Unknown keys at the file and zone level are errors: a misspelt `residencyRules`
 * would otherwise delete every rule.
 *
 * ```json
 * { "zones": { "demo": { "hosts": ["localhost"],
 *   "origins": { "web": { "kind": "http", "url": "http://127.0.0.1:9000" } },
 *   "routes": { "all": { "pathPrefix": "/", "origin": "web" } },
 *   "residencyRules": { "eu": { "pathPrefix": "/eu/", "region": "eu", "mode": "serve-in-region" } }
 * } } }
 * ```
 */
import { z } from 'zod'
import {
  configNameSchema,
  residencyRuleSpecSchema,
  routeSpecSchema,
  zoneSpecSchema,
} from './config'
import { originRecordSchema, poolReferenceIssues } from './pool'

export const zoneFileSchema = z
  .strictObject({
    hosts: zoneSpecSchema.shape.hosts,
    origins: z.record(configNameSchema, originRecordSchema).default({}),
    routes: z.record(configNameSchema, routeSpecSchema).default({}),
    residencyRules: z.record(configNameSchema, residencyRuleSpecSchema).default({}),
  })
  .superRefine((zone, ctx) => {
    for (const [name, route] of Object.entries(zone.routes)) {
      if (route.origin in zone.origins) continue
      ctx.addIssue({
        code: 'custom',
        path: ['routes', name, 'origin'],
        message: `origin ${route.origin} is not defined in this zone`,
      })
    }
    for (const [name, origin] of Object.entries(zone.origins)) {
      if (origin.kind !== 'pool') continue
      const kindOf = (other: string) => zone.origins[other]?.kind
      for (const [path, message] of poolReferenceIssues(origin, kindOf)) {
        ctx.addIssue({ code: 'custom', path: ['origins', name, ...path], message })
      }
    }
  })
export type ZoneFile = z.output<typeof zoneFileSchema>

export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    zones: z.record(configNameSchema, zoneFileSchema),
  })
  .superRefine((file, ctx) => {
    const owner = new Map<string, string>()
    for (const [zone, { hosts }] of Object.entries(file.zones)) {
      hosts.forEach((host, i) => {
        const other = owner.get(host)
        if (other !== undefined && other !== zone) {
          ctx.addIssue({
            code: 'custom',
            path: ['zones', zone, 'hosts', i],
            message: `host ${host} is also listed by zone ${other}`,
          })
        }
        owner.set(host, zone)
      })
    }
  })
export type ConfigFile = z.output<typeof configFileSchema>

/**
 * @param issues zod's issues
 * @returns one `path: message` line per issue, e.g. `zones.demo.routes.all.pathPrefix: must
 *   start with /`
 */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[]
): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`)
}
