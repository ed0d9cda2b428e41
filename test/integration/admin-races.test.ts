/**
 * Admin writes racing each other through the Worker: whatever the interleaving, each answers
 * with what happened to it (a 2xx, or the 4xx naming why not), never a 5xx that invites a retry.
 */
import { describe, it } from 'vitest'
import { admin } from '../support/admin'

describe('a zone deleted while a record of it is written', () => {
  it('answers the write 2xx or 404 zone_not_found, never 5xx', async ({ expect }) => {
    const outcomes = new Map<string, number>()
    for (let i = 0; i < 30; i++) {
      await admin('PUT', '/zones/racing', { body: { hosts: ['racing.test'] } })
      const [written] = await Promise.all([
        admin('PUT', '/zones/racing/origins/o', {
          body: { kind: 'http', url: 'http://origin.racing.test' },
        }),
        admin('DELETE', '/zones/racing'),
      ])
      const outcome = `${written.status} ${written.body.errors[0]?.code ?? ''}`
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    for (const outcome of outcomes.keys()) expect(outcome).toMatch(/^(201 |404 zone_not_found)$/)
  })
})
