/**
 * @module tooling/code-size
 * Measures what the house style bounds: lines per source file and per function. Pure over the
 * text it is given (TypeScript's parser, no type checking).
 */
import ts from 'typescript'

export interface FunctionSize {
  name: string
  line: number
  lines: number
}

/**
 * @param fileName for the parser's diagnostics only
 * @param text the source
 * @returns every function, method, accessor and arrow function with its length in lines
 */
export function functionSizes(fileName: string, text: string): FunctionSize[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const sizes: FunctionSize[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      sizes.push({ name: nameOf(node, source), line: start + 1, lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return sizes
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node }
  if (named.name) return named.name.getText(source)
  const parent = node.parent
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source)
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source)
  return '(anonymous)'
}

/** @returns the number of lines of a text, a final newline not starting another */
export function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length
}
