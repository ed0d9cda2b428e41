/**
 * @module silence
 * How long an origin's body may send nothing while a cache is storing it. Every request for the
 * key waits on that fill (the tier's readers, the isolate's L1 followers), so a body that stalls
 * (a hung backend, a half-open connection) must fail after the origin's timeout rather than
 * hold them for as long as the connection lasts. Bodies passed through unstored have no limit.
 */
import { OriginError } from '../origin/errors'

/**
 * `reading` (a read of `reader`), unless the source stays silent for `silenceMs`: then the reader
 * is cancelled (which closes the origin's connection) and the read fails as an origin timeout.
 */
export async function readWithin<T>(
  silenceMs: number | undefined,
  reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader,
  reading: Promise<T>
): Promise<T> {
  if (silenceMs === undefined) return reading
  let fail: (error: OriginError) => void = () => undefined
  const silent = new Promise<never>((_, reject) => {
    fail = reject
  })
  let silence: OriginError | undefined
  const timer = setTimeout(() => {
    silence = new OriginError('timeout', `origin body silent for ${silenceMs} ms`)
    fail(silence)
    reader.cancel(silence).catch(() => undefined)
  }, silenceMs)
  try {
    const result = await Promise.race([reading, silent])
    // The cancel ends the pending read as `done`: that is no end of the body.
    if (silence) throw silence
    return result
  } finally {
    clearTimeout(timer)
  }
}

/** `body`, failing for every reader once it has sent nothing for `silenceMs`. */
export function failWhenSilent(
  body: ReadableStream<Uint8Array>,
  silenceMs: number
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await readWithin(silenceMs, reader, reader.read())
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
}
