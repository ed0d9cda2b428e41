/**
 * Tests do not wait for time to pass: the tier and the edge take an injected clock
 * (edge-cache/clock.ts, test/support/clock.ts) and the rest waits for the event itself
 * (test/support/eventually.ts). The few waits where real time must pass say why, in a
 * `// real time:` comment on the line above; there are at most three.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const WAIT = /(?<![.\w])(sleep|setTimeout|delay)\(|scheduler\.wait\(/

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return entry.name === 'bench' || entry.name === 'support' ? [] : testFiles(path)
    // This file's own examples are strings, not waits.
    return entry.name.endsWith('.test.ts') && path !== fileURLToPath(import.meta.url) ? [path] : []
  })
}

/** @returns each line of a test file that waits on a timer, with the comment line above it */
function waits(text: string): { line: number; code: string; justified: boolean }[] {
  const lines = text.split('\n')
  return lines.flatMap((code, i) =>
    WAIT.test(code) && !code.trim().startsWith('//') && !code.trim().startsWith('*')
      ? [{ line: i + 1, code: code.trim(), justified: /\/\/ real time:/.test(lines[i - 1] ?? '') }]
      : []
  )
}

describe('sleeps in tests', () => {
  const found = testFiles(join(root, 'test')).flatMap((path) =>
    waits(readFileSync(path, 'utf8')).map((w) => ({ ...w, file: relative(root, path) }))
  )

  it('are at most three, each saying why real time must pass', () => {
    expect(found.filter((w) => !w.justified).map((w) => `${w.file}:${w.line} ${w.code}`)).toEqual(
      []
    )
    expect(found.length).toBeLessThanOrEqual(3)
  })

  it('are found however they are written', () => {
    const text = [
      'await sleep(10)',
      'await new Promise((r) => setTimeout(r, 5))',
      '// real time: the origin must see two probes',
      'await scheduler.wait(1000)',
      '// setTimeout( in a comment is not a wait',
      'socket.setTimeout(10_000, close)',
    ].join('\n')
    expect(waits(text).map((w) => [w.line, w.justified])).toEqual([
      [1, false],
      [2, false],
      [4, true],
    ])
  })
})
