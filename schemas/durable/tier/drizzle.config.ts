import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './schemas/durable/tier/schema.ts',
  out: './schemas/durable/tier/drizzle',
})
