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
    async hits(path: string): Promise<OriginHit[]> {
      const res = await fetch(`${originUrl}/__origin/hits?path=${encodeURIComponent(path)}`)
      const { hits } = (await res.json()) as { hits: OriginHit[] }
      return hits
    },
  }
}
