/**
 * @module api/openapi-paths
 * The admin API's OpenAPI paths, one function per resource, built from a few shared pieces
 * (path parameters, a JSON request body, the usual answers). Assembled by api/openapi.ts.
 */
import { ANALYTICS_DIMENSIONS } from './analytics'

const envelope = { $ref: '#/components/schemas/Envelope' }
const answers = (ok: string) => ({
  [ok]: { description: 'success', content: { 'application/json': { schema: envelope } } },
  '400': { description: 'invalid body: the errors name the field' },
  '401': { description: 'missing or invalid token' },
  '403': { description: 'the token lacks the scope or the zone' },
  '429': { description: 'rate limited (Retry-After)' },
})
const created = (description: string) => ({ ...answers('200'), '201': { description } })
/** A request body of a schema in `components.schemas`. */
const body = (component: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${component}` } } },
})
const param = (name: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  schema,
})
const zone = param('zone')
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
      parameters: [zone, param('name')],
      get: { responses: answers('200') },
      put: { requestBody: body(component), responses: created('created') },
      delete: { responses: answers('200') },
    },
  }
}

/** A collection under a zone whose members the server names: list, create, delete by id. */
function issued(
  segment: string,
  component: string,
  said: { list?: string; create?: string; remove: string }
) {
  const described = (text: string | undefined) => (text === undefined ? {} : { description: text })
  return {
    [`/zones/{zone}/${segment}`]: {
      parameters: [zone],
      get: { ...described(said.list), responses: answers('200') },
      post: { ...described(said.create), requestBody: body(component), responses: answers('201') },
    },
    [`/zones/{zone}/${segment}/{id}`]: {
      parameters: [zone, param('id')],
      delete: { description: said.remove, responses: answers('200') },
    },
  }
}

/** Zones and the records under them: origins, routes, residency rules. */
export function zonePaths() {
  return {
    '/zones': { get: { responses: answers('200') } },
    '/zones/{zone}': {
      parameters: [zone],
      get: { responses: answers('200') },
      put: { requestBody: body('Zone'), responses: created('created') },
      delete: { responses: answers('200') },
    },
    ...records('origins', 'Origin'),
    ...records('routes', 'Route'),
    ...records('residency-rules', 'ResidencyRule'),
  }
}

export function tokenPaths() {
  return issued('tokens', 'CreateToken', { remove: 'Revokes the token' })
}

/** Analytics and the origins' health. */
export function observationPaths() {
  return {
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
      parameters: [zone, param('name')],
      get: {
        description: "Per region: the origin's monitor verdict, its last probes and transitions",
        responses: answers('200'),
      },
    },
  }
}

export function chaosPaths() {
  return issued('chaos', 'ChaosDrill', {
    list: "The zone's chaos drills, active or over",
    create: 'Starts a bounded, audited fault drill (scope chaos)',
    remove: 'Ends a drill early (scope chaos)',
  })
}

export function grantPaths() {
  return {
    '/zones/{zone}/grants': {
      parameters: [zone],
      get: {
        description: 'The secrets and R2 buckets the zone may name (names only)',
        responses: answers('200'),
      },
    },
    '/zones/{zone}/grants/{kind}/{name}': {
      parameters: [zone, param('kind', { enum: ['secrets', 'buckets'] }), param('name')],
      put: {
        description:
          'Grants the zone a name from ORIGIN_SECRETS / ORIGIN_BUCKETS (bootstrap token only)',
        responses: created('granted'),
      },
      delete: {
        description: 'Revokes a grant (bootstrap token only)',
        responses: answers('200'),
      },
    },
  }
}

export function purgePaths() {
  return {
    '/zones/{zone}/purge_cache': {
      parameters: [zone],
      post: {
        description:
          "Cloudflare's purge_cache bodies; `soft` or `Fastly-Soft-Purge: 1` for a soft purge",
        requestBody: body('Purge'),
        responses: answers('200'),
      },
    },
    '/zones/{zone}/purge/{key}': {
      parameters: [zone, param('key')],
      post: { description: 'Fastly-style surrogate-key purge', responses: answers('200') },
    },
  }
}

/** What spans every zone: the audit log, the figures, this document. */
export function deploymentPaths() {
  return {
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
  }
}
