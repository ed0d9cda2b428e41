/**
 * @module api/openapi
 * The admin API's OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (zod's JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod'
import { createTokenSchema } from './admin'
import { ANALYTICS_DIMENSIONS } from './analytics'
import { drillSpecSchema } from './chaos'
import { residencyRuleSpecSchema, routeSpecSchema, zoneSpecSchema } from './config'
import { originRecordSchema } from './pool'
import { purgeBodySchema } from './purge'

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const envelope = { $ref: '#/components/schemas/Envelope' }
const answers = (ok: string) => ({
  [ok]: { description: 'success', content: { 'application/json': { schema: envelope } } },
  '400': { description: 'invalid body: the errors name the field' },
  '401': { description: 'missing or invalid token' },
  '403': { description: 'the token lacks the scope or the zone' },
  '429': { description: 'rate limited (Retry-After)' },
})
const zone = { name: 'zone', in: 'path', required: true, schema: { type: 'string' } }
const named = { name: 'name', in: 'path', required: true, schema: { type: 'string' } }
const query = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
})

/** A record collection under a zone: list, read, put, delete. */
function records(segment: string, component: string) {
  return {
    [`/zones/{zone}/${segment}`]: { get: { parameters: [zone], responses: answers('200') } },
    [`/zones/{zone}/${segment}/{name}`]: {
      parameters: [zone, named],
      get: { responses: answers('200') },
      put: {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref(component) } },
        },
        responses: { ...answers('200'), '201': { description: 'created' } },
      },
      delete: { responses: answers('200') },
    },
  }
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
        Envelope: {
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
        },
      },
    },
    paths: {
      '/zones': { get: { responses: answers('200') } },
      '/zones/{zone}': {
        parameters: [zone],
        get: { responses: answers('200') },
        put: {
          requestBody: { required: true, content: { 'application/json': { schema: ref('Zone') } } },
          responses: { ...answers('200'), '201': { description: 'created' } },
        },
        delete: { responses: answers('200') },
      },
      ...records('origins', 'Origin'),
      ...records('routes', 'Route'),
      ...records('residency-rules', 'ResidencyRule'),
      '/zones/{zone}/tokens': {
        parameters: [zone],
        get: { responses: answers('200') },
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('CreateToken') } },
          },
          responses: answers('201'),
        },
      },
      '/zones/{zone}/tokens/{id}': {
        parameters: [zone, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        delete: { description: 'Revokes the token', responses: answers('200') },
      },
      '/zones/{zone}/analytics': {
        parameters: [zone],
        get: {
          description:
            'Traffic over every region: totals, a time series, top URLs and origins, origin cost saved (scope analytics:read or config:read)',
          parameters: [
            query('since', 'ISO 8601, epoch ms or -<n>m|h|d (default: an hour before until)'),
            query('until', 'ISO 8601, epoch ms or -<n>m|h|d (default: now)'),
            {
              name: 'by',
              in: 'query',
              description: 'what the time series is split by',
              schema: { enum: [...ANALYTICS_DIMENSIONS], default: 'layer' },
            },
            {
              name: 'top',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
            },
          ],
          responses: answers('200'),
        },
      },
      '/zones/{zone}/origins/{name}/health': {
        parameters: [
          zone,
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        get: {
          description: "Per region: the origin's monitor verdict, its last probes and transitions",
          responses: answers('200'),
        },
      },
      '/zones/{zone}/chaos': {
        parameters: [zone],
        get: { description: "The zone's chaos drills, active or over", responses: answers('200') },
        post: {
          description: 'Starts a bounded, audited fault drill (scope chaos)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('ChaosDrill') } },
          },
          responses: answers('201'),
        },
      },
      '/zones/{zone}/chaos/{id}': {
        parameters: [zone, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        delete: { description: 'Ends a drill early (scope chaos)', responses: answers('200') },
      },
      '/zones/{zone}/grants': {
        parameters: [zone],
        get: {
          description: 'The secrets and R2 buckets the zone may name (names only)',
          responses: answers('200'),
        },
      },
      '/zones/{zone}/grants/{kind}/{name}': {
        parameters: [
          zone,
          { name: 'kind', in: 'path', required: true, schema: { enum: ['secrets', 'buckets'] } },
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        put: {
          description:
            'Grants the zone a name from ORIGIN_SECRETS / ORIGIN_BUCKETS (bootstrap token only)',
          responses: { ...answers('200'), '201': { description: 'granted' } },
        },
        delete: {
          description: 'Revokes a grant (bootstrap token only)',
          responses: answers('200'),
        },
      },
      '/zones/{zone}/purge_cache': {
        parameters: [zone],
        post: {
          description:
            "Cloudflare's purge_cache bodies; `soft` or `Fastly-Soft-Purge: 1` for a soft purge",
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('Purge') } },
          },
          responses: answers('200'),
        },
      },
      '/zones/{zone}/purge/{key}': {
        parameters: [zone, { name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
        post: { description: 'Fastly-style surrogate-key purge', responses: answers('200') },
      },
      '/audit': { get: { responses: answers('200') } },
      '/metrics': {
        get: {
          description: 'Network-wide figures in Prometheus text format 0.0.4 (bootstrap token)',
          responses: {
            ...answers('200'),
            '200': {
              description: 'success',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          description: 'This document (no token needed)',
          security: [],
          responses: {
            '200': {
              description: 'success',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
  }
}
