import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './schemas/durable/health-monitor/schema.ts',
  out: './schemas/durable/health-monitor/drizzle',
})
