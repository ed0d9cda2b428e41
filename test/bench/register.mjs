/**
 * Lets `node --experimental-strip-types` load this repo's TypeScript as written: the sources
 * import sibling modules without an extension (bundler resolution), which Node's ESM resolver
 * refuses, so a failed relative specifier is retried with `.ts`.
 */
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      const relative = /^\.{0,2}\//.test(specifier)
      if (relative && !/\.[cm]?[jt]s$/.test(specifier))
        return nextResolve(`${specifier}.ts`, context)
      throw error
    }
  },
})
