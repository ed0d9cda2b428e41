// Types drizzle-kit's generated migrations.js (driver durable-sqlite) for TypeScript.
import type { migrate } from 'drizzle-orm/durable-sqlite/migrator'

declare const migrations: Parameters<typeof migrate>[1]
export default migrations
