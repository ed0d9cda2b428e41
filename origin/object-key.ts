/**
 * @module origin/object-key
 * Derives an object-store key from a URL path, safely: percent-decoded exactly once, no
 * segment may climb out of the route's prefix, and a trailing `/` names the directory index.
 */
import { InvalidObjectPathError } from './errors'

export const DIRECTORY_INDEX = 'index.html'

/**
 * @param path the URL path as received, still percent-encoded (starts with `/`)
 * @param prefix the route's key prefix, e.g. `assets/`
 * @returns the object key
 * @throws InvalidObjectPathError for invalid percent-encoding or a `.`/`..` segment
 */
export function objectKey(path: string, prefix = ''): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch (cause) {
    throw new InvalidObjectPathError(`invalid percent-encoding in path ${JSON.stringify(path)}`, {
      cause,
    })
  }
  if (decoded.includes('\0')) throw new InvalidObjectPathError('path contains a NUL byte')
  // Decoding happens once, so `%2e%2e` becomes `..` here and is caught here; `%252e` stays `%2e`.
  const segments = decoded.split('/')
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\'))) {
    throw new InvalidObjectPathError(`path ${JSON.stringify(path)} has a dot segment or backslash`)
  }
  let key = decoded.replace(/^\/+/, '')
  if (key === '' || key.endsWith('/')) key += DIRECTORY_INDEX
  return prefix + key
}
