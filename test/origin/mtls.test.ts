/**
 * mTLS binding selection: an HTTP origin naming an `mtls_certificates` binding sends its
 * requests through that binding's fetch. The binding is production-only, so a stand-in fetcher
 * takes its place here, and only its place.
 * @see origin/mtls.ts
 */
import { describe, it } from 'vitest'
import { NO_GRANTS, originDependencies } from '../../origin/dependencies'
import { NotGrantedError } from '../../origin/errors'
import { mtlsFetch } from '../../origin/mtls'
import { selectOrigin } from '../../origin/select'
import { originSpecSchema } from '../../schemas/api/config'

const granted = { ...NO_GRANTS, certificate: ['ORIGIN_CERT'] }

/** The dependencies of a zone granted ORIGIN_CERT, over these bindings. */
function withCertificate(bindings: object) {
  return originDependencies({ ORIGIN_CERTIFICATES: 'ORIGIN_CERT', ...bindings }, granted, 1000)
}
const request = { method: 'GET', path: '/a.css', search: '?v=1', headers: new Headers() }

/** Stands in for the certificate binding: records what it was asked to fetch. */
function standInCertificate() {
  const seen: string[] = []
  const fetcher = {
    async fetch(input: RequestInfo | URL) {
      seen.push(String(input instanceof Request ? input.url : input))
      return new Response('through the certificate')
    },
    connect() {
      throw new Error('not used')
    },
  } as unknown as Fetcher
  return { fetcher, seen }
}

describe('mTLS origin selection', () => {
  const spec = originSpecSchema.parse({
    kind: 'http',
    url: 'https://origin.example/base',
    mtlsCertificate: 'ORIGIN_CERT',
  })

  it('sends the requests of an origin naming a certificate binding through it', async ({
    expect,
  }) => {
    const cert = standInCertificate()
    const deps = withCertificate({ ORIGIN_CERT: cert.fetcher })
    const res = await selectOrigin(spec, deps).fetch(request)
    expect(await res.text()).toBe('through the certificate')
    expect(cert.seen).toEqual(['https://origin.example/base/a.css?v=1'])
  })

  it('uses the plain fetch for an origin that names none', async ({ expect }) => {
    const cert = standInCertificate()
    const plain = originSpecSchema.parse({ kind: 'http', url: 'http://127.0.0.1:9/' })
    const deps = withCertificate({ ORIGIN_CERT: cert.fetcher })
    await expect(selectOrigin(plain, deps).fetch(request)).rejects.toThrow(/unreachable/)
    expect(cert.seen).toEqual([])
  })

  it.for([
    ['a missing binding', {}],
    ['a var', { ORIGIN_CERT: 'text' }],
    ['an R2 bucket', { ORIGIN_CERT: { get() {}, head() {}, put() {} } }],
    ['a Durable Object namespace', { ORIGIN_CERT: { idFromName() {}, get() {}, fetch() {} } }],
  ] as const)('refuses %s as the certificate binding', ([, bindings], { expect }) => {
    expect(() => selectOrigin(spec, withCertificate(bindings))).toThrow(TypeError)
  })

  it('fails clearly where no certificate binding is bound (locally)', ({ expect }) => {
    expect(() => mtlsFetch('ORIGIN_CERT', withCertificate({}))).toThrow(
      /mtls_certificates binding \(production only\)/
    )
  })

  it('never resolves a certificate binding the zone was not granted', async ({ expect }) => {
    const cert = standInCertificate()
    const deps = originDependencies(
      { ORIGIN_CERTIFICATES: 'ORIGIN_CERT', ORIGIN_CERT: cert.fetcher },
      NO_GRANTS,
      1000
    )
    await expect(selectOrigin(spec, deps).fetch(request)).rejects.toThrow(NotGrantedError)
    expect(cert.seen).toEqual([])
  })
})
