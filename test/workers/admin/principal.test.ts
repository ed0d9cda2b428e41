import { describe, it } from 'vitest'
import { allows, BOOTSTRAP, type Principal, zonesAllowed } from '../../../workers/admin/principal'

const reader: Principal = { kind: 'token', id: 'tok_1', scopes: ['config:read'], zones: ['a'] }

describe('allows', () => {
  it.for([
    [BOOTSTRAP, 'config:write', 'anything', true],
    [reader, 'config:read', 'a', true],
    [reader, 'config:write', 'a', false],
    [reader, 'config:read', 'b', false],
    [reader, 'purge', 'a', false],
  ] as const)('%o: %s on %s is %s', ([principal, scope, zone, expected], { expect }) => {
    expect(allows(principal, scope, zone)).toBe(expected)
  })
})

describe('zonesAllowed', () => {
  it('is every zone for the bootstrap token, the token zones for a holder, none otherwise', ({
    expect,
  }) => {
    expect(zonesAllowed(BOOTSTRAP, 'purge')).toBe('all')
    expect(zonesAllowed(reader, 'config:read')).toEqual(['a'])
    expect(zonesAllowed(reader, 'config:write')).toEqual([])
  })
})
