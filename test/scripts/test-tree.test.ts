/**
 * The unit test tree mirrors the source tree: `test/<dir>/<file>.test.ts` tests `<dir>/<file>.ts`
 * for the source folders below, so the tests of a module are found where it is. An aspect may
 * sit between the name and `.test.ts` (`l1.workerd.test.ts`: the same module, run inside workerd;
 * `api.property.test.ts`), and a suite of a whole folder is named after it (`schemas/api.*` for
 * `schemas/api/`). Feature suites (test/integration, test/e2e) are not held to this.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const MIRRORED = ['edge-cache', 'origin', 'schemas', 'workers']

/**
 * @param testPath a test file relative to test/, e.g. `edge-cache/store/l1.workerd.test.ts`
 * @returns the source paths, relative to the root, that it may mirror: a file or a folder
 */
function mirroredSources(testPath: string): string[] {
  const base = testPath.replace(/\.test\.ts$/, '')
  const withoutAspect = base.replace(/\.[a-z-]+$/, '')
  const names = withoutAspect === base ? [base] : [base, withoutAspect]
  return names.flatMap((name) => [`${name}.ts`, `${name}/`])
}

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return testFilesUnder(path)
    return name.endsWith('.test.ts') ? [path] : []
  })
}

const mirrors = (source: string) => existsSync(join(root, source))

describe('mirroredSources', () => {
  it.for([
    ['edge-cache/policy/freshness.test.ts', 'edge-cache/policy/freshness.ts'],
    ['edge-cache/store/l1.workerd.test.ts', 'edge-cache/store/l1.ts'],
    ['schemas/api.property.test.ts', 'schemas/api/'],
  ] as const)('lets %s mirror %s', ([test, source], { expect }) => {
    expect(mirroredSources(test)).toContain(source)
  })

  it('does not let a test named after a feature mirror the module it imports', ({ expect }) => {
    expect(mirroredSources('edge-cache/tier-admission.test.ts')).not.toContain(
      'edge-cache/tier/admission.ts'
    )
    expect(mirroredSources('edge-cache/tier-admission.test.ts').some(mirrors)).toBe(false)
  })
})

describe('the unit test tree', () => {
  it.for(MIRRORED)(
    'has a source file at the mirrored path of every test under test/%s',
    (dir, { expect }) => {
      const tests = testFilesUnder(join(root, 'test', dir)).map((path) =>
        relative(join(root, 'test'), path)
      )
      expect(tests.length).toBeGreaterThan(0)
      const orphans = tests.filter((test) => !mirroredSources(test).some(mirrors))
      expect(orphans, 'tests with no source at their mirrored path').toEqual([])
    }
  )
})
