import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { freePort, stopProcessGroup, waitForHttp } from '../support/processes'

// `npm start` itself (its script), on a free port with its own state directory.
let child: ChildProcess
let url: string
let state: string
let output = ''

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'edge-cdn-demo-'))
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  child = spawn('bash', ['.scripts/start.sh'], {
    env: { ...process.env, PORT: String(port), EDGE_STATE_DIR: state, ORIGIN_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  await waitForHttp(`${url}/style.css`, child, 150_000).catch((error: unknown) => {
    throw new Error(`npm start did not come up: ${String(error)}\n${output}`)
  })
})

afterAll(async () => {
  if (child) await stopProcessGroup(child)
  if (state) await rm(state, { recursive: true, force: true })
})

describe('npm start (the demo zone)', () => {
  it('serves the demo page, then an L1 hit for it', async ({ expect }) => {
    const first = await fetch(`${url}/`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toContain('text/html')
    expect(await first.text()).toContain('edge-cdn')
    const second = await fetch(`${url}/`)
    await second.text()
    expect(second.headers.get('cache-status')).toMatch(/^edge-l1; hit; ttl=\d+$/)
  })

  it('serves the png with its content type and cache policy', async ({ expect }) => {
    const res = await fetch(`${url}/logo.png`)
    const body = new Uint8Array(await res.arrayBuffer())
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400')
    expect([...body.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47])
  })

  it('streams the whole 50 MiB video and answers ranges of it', async ({ expect }) => {
    const res = await fetch(`${url}/video.mp4`)
    expect(res.status).toBe(200)
    const declared = Number(res.headers.get('content-length'))
    expect(declared).toBeGreaterThanOrEqual(50 * 1024 * 1024)
    let received = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength
    }
    expect(received).toBe(declared)

    const range = await fetch(`${url}/video.mp4`, { headers: { range: 'bytes=4-11' } })
    expect(range.status).toBe(206)
    expect(range.headers.get('content-range')).toBe(`bytes 4-11/${declared}`)
    expect(new TextDecoder().decode(await range.arrayBuffer())).toBe('ftypisom')
  })
})
