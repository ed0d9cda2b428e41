/**
 * @module bench/soak/heap
 * The Worker's V8 heap as its inspector reports it (`Runtime.getHeapUsage` over the DevTools
 * protocol on `wrangler dev --inspector-port`). Locally the Worker and its Durable Objects
 * share one isolate, so this tells growth of the platform's JavaScript objects apart from
 * growth elsewhere in workerd (its caches, SQLite, buffers), which only RSS shows.
 */
export interface HeapUsage {
  usedBytes: number
  totalBytes: number
  /** ArrayBuffer backing stores (outside the V8 heap proper: stream and body buffers). */
  backingBytes: number
}

export interface HeapProbe {
  /**
   * Undefined when the inspector does not answer within two seconds. With `collect`, a full GC
   * runs first, so the figures are what is live rather than what the collector has left.
   */
  usage(collect?: boolean): Promise<HeapUsage | undefined>
  close(): void
}

/**
 * Node's WebSocket (undici) takes request headers, which the inspector needs (it refuses an
 * upgrade without an allowed `Origin`); the Workers types this project also loads declare the
 * Workers constructor instead.
 */
const NodeWebSocket = WebSocket as unknown as new (
  url: string,
  init: { headers: Record<string, string> }
) => WebSocket

/**
 * Finds the Worker's inspector target. Each `usage()` opens its own DevTools session and closes
 * it again: wrangler enables the runtime's Debugger and Network domains while a session is open,
 * which would cost the Worker for the whole run.
 * @param port the inspector port
 * @returns the probe, or undefined when no inspector target answers
 */
export async function connectHeapProbe(port: number): Promise<HeapProbe | undefined> {
  let targets: Array<{ webSocketDebuggerUrl?: string }>
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) })
    targets = (await res.json()) as Array<{ webSocketDebuggerUrl?: string }>
  } catch {
    return undefined
  }
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl
  if (!url) return undefined
  let open: WebSocket | undefined
  const usage = (collect = false) =>
    new Promise<HeapUsage | undefined>((resolve) => {
      const socket = new NodeWebSocket(url, { headers: { origin: 'http://localhost' } })
      open = socket
      let settled = false
      const done = (result: HeapUsage | undefined) => {
        // close() may fire 'error' synchronously, which calls back here.
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
        socket.close()
      }
      const timer = setTimeout(() => done(undefined), collect ? 10_000 : 2000)
      socket.addEventListener('open', () => {
        if (collect) socket.send(JSON.stringify({ id: 0, method: 'HeapProfiler.collectGarbage' }))
        socket.send(JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }))
      })
      socket.addEventListener('error', () => done(undefined))
      socket.addEventListener('message', (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as {
          id?: number
          result?: { usedSize?: number; totalSize?: number; backingStorageSize?: number }
        }
        if (message.id !== 1) return
        const { usedSize, totalSize, backingStorageSize = 0 } = message.result ?? {}
        done(
          usedSize === undefined || totalSize === undefined
            ? undefined
            : { usedBytes: usedSize, totalBytes: totalSize, backingBytes: backingStorageSize }
        )
      })
    })
  // The first call tells whether the inspector answers at all.
  if (!(await usage())) return undefined
  return {
    usage,
    close() {
      open?.close()
    },
  }
}
