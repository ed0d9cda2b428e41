/**
 * The house limits on production code (.scripts/size-limits.ts), enforced in `npm test`: no
 * source file over 400 lines, no function over 80.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  functionLengths,
  MAX_FUNCTION_LINES,
  overLimits,
  sourceFiles,
} from '../../.scripts/size-limits'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('size limits', () => {
  it('holds for every production file and function', () => {
    expect(sourceFiles(root).length).toBeGreaterThan(100)
    const { files, functions } = overLimits(root)
    expect(files.map((f) => `${f.file}: ${f.lines} lines`)).toEqual([])
    expect(functions.map((f) => `${f.file} ${f.name}: ${f.lines} lines`)).toEqual([])
  })

  it('measures methods, arrow functions passed as arguments and nested functions', () => {
    const body = (n: number) =>
      Array.from({ length: n }, (_, i) => `  const v${i} = ${i}`).join('\n')
    const text = [
      'class A {',
      `  long() {\n${body(MAX_FUNCTION_LINES)}\n  }`,
      '}',
      `app.get('/', (c) => {\n${body(3)}\n})`,
      `export function outer() {\n  function inner() {\n${body(2)}\n  }\n}`,
    ].join('\n')
    const measured = functionLengths('a.ts', text).map((f) => [f.name, f.lines])
    expect(measured).toEqual([
      ['long', MAX_FUNCTION_LINES + 2],
      ['(anonymous at line 85)', 5],
      ['outer', 6],
      ['inner', 4],
    ])
  })
})
