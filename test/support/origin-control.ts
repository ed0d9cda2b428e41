/**
 * Drives a test origin over HTTP; works from Node and from inside workerd alike.
 */
import type { OriginHit, OriginScript } from './origin'

export function originControl(originUrl: string) {
  return {
    async script(path: string, script: OriginScript): Promise<void> {
      const res = await fetch(`${originUrl}/__origin/script?path=${encodeURIComponent(path)}`, {
        method: 'PUT',
        body: JSON.stringify(script),
      })
      if (!res.ok) throw new Error(`origin script failed: ${res.status}`)
      await res.arrayBuffer()
    },
    /** Lets the requests held at `gate` (a script's `holdUntil`) be answered. */
    async open(gate: string): Promise<void> {
      const res = await fetch(`${originUrl}/__origin/open?gate=${encodeURIComponent(gate)}`, {
        method: 'POST',
      })
      if (!res.ok) throw new Error(`origin gate failed: ${res.status}`)
      await res.arrayBuffer()
    },
    async hits(path: string): Promise<OriginHit[]> {
      const res = await fetch(`${originUrl}/__origin/hits?path=${encodeURIComponent(path)}`)
      const { hits } = (await res.json()) as { hits: OriginHit[] }
      return hits
    },
    /**
     * Starts a counting pass-through proxy to `target` (requests forwarded verbatim, Host
     * included, so signed requests still verify).
     * @returns the proxy's URL and what went through it so far
     */
    async proxy(target: string): Promise<{ url: string; hits(): Promise<OriginHit[]> }> {
      const res = await fetch(`${originUrl}/__origin/proxy`, {
        method: 'POST',
        body: JSON.stringify({ target }),
      })
      if (!res.ok) throw new Error(`origin proxy failed: ${res.status}`)
      const { url } = (await res.json()) as { url: string }
      return {
        url,
        async hits() {
          const list = await fetch(
            `${originUrl}/__origin/proxy-hits?url=${encodeURIComponent(url)}`
          )
          const { hits } = (await list.json()) as { hits: OriginHit[] }
          return hits
        },
      }
    },
  }
}
