/**
 * @module scripts/size-limits
 * The house limits on production code: no source file over 400 lines, no function over 80.
 * Functions are measured from their first to their last line by the TypeScript parser (so an
 * arrow function passed as an argument counts on its own, and a class counts per method).
 * Checked by test/scripts/size-limits.test.ts in `npm test`; `node .scripts/size-limits.ts`
 * prints the largest files and functions.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

export const MAX_FILE_LINES = 400
export const MAX_FUNCTION_LINES = 80
/** The production source trees; tests, benches and scripts are not held to these limits. */
export const SOURCE_DIRS = ['workers', 'edge-cache', 'origin', 'schemas']

export interface Measured {
  file: string
  name: string
  lines: number
}

/** @returns every production `.ts` file under `root` (generated declarations excluded) */
export function sourceFiles(root: string): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path)
    }
  }
  for (const dir of SOURCE_DIRS) walk(join(root, dir))
  return files.sort()
}

/** @returns the line count of each function-like node in `text` */
export function functionLengths(file: string, text: string): Measured[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Measured[] = []
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1
      found.push({ file, name: nameOf(node, source), lines })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node }
  if (named.name) return named.name.getText(source)
  const parent = node.parent
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source)
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source)
  return `(anonymous at line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`
}

/** @returns the files and functions over the limits */
export function overLimits(root: string): { files: Measured[]; functions: Measured[] } {
  const files: Measured[] = []
  const functions: Measured[] = []
  for (const path of sourceFiles(root)) {
    const text = readFileSync(path, 'utf8')
    const file = relative(root, path)
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
    if (lines > MAX_FILE_LINES) files.push({ file, name: file, lines })
    for (const fn of functionLengths(file, text)) {
      if (fn.lines > MAX_FUNCTION_LINES) functions.push(fn)
    }
  }
  return { files, functions }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, functions } = overLimits(process.cwd())
  for (const f of files) console.log(`${f.file}: ${f.lines} lines (limit ${MAX_FILE_LINES})`)
  for (const f of functions)
    console.log(`${f.file} ${f.name}: ${f.lines} lines (limit ${MAX_FUNCTION_LINES})`)
  if (files.length + functions.length > 0) process.exit(1)
  console.log('size limits hold')
}
