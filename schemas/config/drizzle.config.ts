import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './schemas/config/tables.ts',
  out: './schemas/config/migrations',
})
