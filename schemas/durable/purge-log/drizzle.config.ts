import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './schemas/durable/purge-log/schema.ts',
  out: './schemas/durable/purge-log/drizzle',
})
