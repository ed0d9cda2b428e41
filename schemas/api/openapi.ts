/**
 * @module api/openapi
 * The admin API's OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (zod's JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is). The
 * paths are in api/openapi-paths.ts.
 */
import { z } from 'zod'
import { createTokenSchema } from './admin'
import { drillSpecSchema } from './chaos'
import { residencyRuleSpecSchema, routeSpecSchema, zoneSpecSchema } from './config'
import {
  chaosPaths,
  deploymentPaths,
  grantPaths,
  observationPaths,
  purgePaths,
  tokenPaths,
  zonePaths,
} from './openapi-paths'
import { originRecordSchema } from './pool'
import { purgeBodySchema } from './purge'

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' })

/** Every admin answer: Cloudflare's envelope. */
const ENVELOPE = {
  type: 'object',
  required: ['success', 'errors', 'messages', 'result'],
  properties: {
    success: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
    messages: { type: 'array', items: {} },
    result: {},
  },
}

/** @returns the OpenAPI document served at `/_admin/openapi.json` */
export function adminOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'edge-cdn admin API', version: '1' },
    servers: [{ url: '/_admin' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Zone: schema(zoneSpecSchema),
        Origin: schema(originRecordSchema),
        ChaosDrill: schema(drillSpecSchema),
        Route: schema(routeSpecSchema),
        ResidencyRule: schema(residencyRuleSpecSchema),
        Purge: schema(purgeBodySchema),
        CreateToken: schema(createTokenSchema),
        Envelope: ENVELOPE,
      },
    },
    paths: {
      ...zonePaths(),
      ...tokenPaths(),
      ...observationPaths(),
      ...chaosPaths(),
      ...grantPaths(),
      ...purgePaths(),
      ...deploymentPaths(),
    },
  }
}
