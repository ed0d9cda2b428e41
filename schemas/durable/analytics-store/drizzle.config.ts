import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './schemas/durable/analytics-store/schema.ts',
  out: './schemas/durable/analytics-store/drizzle',
})
