/**
 * vitest global setup for the workers project: a real HTTP origin on loopback whose URL tests
 * read with `inject('originUrl')`.
 */
import type { TestProject } from 'vitest/node'
import { startOrigin } from '../support/origin'

export default async function setup(project: TestProject) {
  const origin = await startOrigin()
  project.provide('originUrl', origin.url)
  return () => origin.close()
}

declare module 'vitest' {
  export interface ProvidedContext {
    originUrl: string
  }
}
