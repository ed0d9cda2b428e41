/**
 * @module http-date
 * HTTP-date parsing and formatting (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form
 * and ANSI C asctime(). Parsing is total: anything else, including impossible calendar dates
 * and lists of dates, yields `undefined`.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const RFC850_DATE =
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const ASCTIME_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

const MS_PER_YEAR_50 = 50 * 365.2425 * 86_400_000
const MIN_MS = -62_167_219_200_000 // 0000-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_000 // 9999-12-31T23:59:59Z

function build(
  year: number,
  monthName: string,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined {
  const month = MONTHS.indexOf(monthName)
  // hour = 2DIGIT (00-23 in practice), second = 2DIGIT allows a leap second "60"
  if (month < 0 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999
  const check = new Date(0)
  check.setUTCFullYear(year, month, day)
  check.setUTCHours(hour, minute, Math.min(second, 59), 0)
  // reject 31 Feb and friends rather than letting Date roll them over
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined
  return check.getTime()
}

/**
 * Parses an HTTP-date into ms since the epoch, or `undefined` when invalid.
 * "A recipient that parses a timestamp value in an HTTP field MUST accept all three
 * HTTP-date formats." Two-digit RFC 850 years are resolved against `now` when given
 * ("MUST interpret a timestamp that appears to be more than 50 years in the future as
 * representing the most recent year in the past that had the same last two digits");
 * without `now`, 70-99 map to 19xx and 00-69 to 20xx.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 */
export function parseHttpDate(value: string | null | undefined, now?: number): number | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  let m = IMF_FIXDATE.exec(text)
  if (m)
    return build(Number(m[4]), m[3] ?? '', Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
  m = RFC850_DATE.exec(text)
  if (m) {
    const yy = Number(m[4])
    const args = [m[3] ?? '', Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])] as const
    if (now === undefined || !Number.isFinite(now)) {
      return build(yy < 70 ? 2000 + yy : 1900 + yy, ...args)
    }
    const nowYear = new Date(now).getUTCFullYear()
    const ms = build(nowYear - (nowYear % 100) + yy, ...args)
    if (ms === undefined) return undefined
    if (ms > now + MS_PER_YEAR_50) return build(nowYear - (nowYear % 100) + yy - 100, ...args)
    if (ms <= now - MS_PER_YEAR_50) return build(nowYear - (nowYear % 100) + yy + 100, ...args)
    return ms
  }
  m = ASCTIME_DATE.exec(text)
  if (m) {
    return build(
      Number(m[7]),
      m[2] ?? '',
      Number((m[3] ?? '').trim()),
      Number(m[4]),
      Number(m[5]),
      Number(m[6])
    )
  }
  return undefined
}

/**
 * Formats ms since the epoch as an IMF-fixdate ("When a sender generates a field that
 * contains one or more timestamps defined as HTTP-date, the sender MUST generate those
 * timestamps in the IMF-fixdate format"). Sub-second precision is dropped; times outside
 * years 0000-9999 are clamped.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 */
export function formatHttpDate(ms: number): string {
  // clamp into years 0000-9999, the range IMF-fixdate's 4DIGIT year can express
  const d = new Date(Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_MS), MAX_MS) : 0)
  const pad = (n: number) => String(n).padStart(2, '0')
  const year = String(d.getUTCFullYear()).padStart(4, '0')
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${year} ${pad(
    d.getUTCHours()
  )}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`
}
