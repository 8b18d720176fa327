import { existsSync, readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { MigrationError, errorMessage } from '../errors.js'
import type { MigrationPair } from '../engine/settings.js'

const fileSchema = z.object({
  migrations: z
    .array(z.object({ source: z.string().min(1), target: z.string().min(1) }).strict())
    .min(1, 'lists no migrations')
})

/**
 * Reads the `migrations` input: `source -> target` lines (blank lines and # comments
 * ignored), or the path of a YAML/JSON file holding `migrations: [{source, target}]`.
 */
export function parseMigrations(text: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): MigrationPair[] {
  const trimmed = text.trim()
  if (!trimmed) throw new MigrationError('INVALID_INPUT', 'Input "migrations" is empty: give "source -> target" lines or the path of a YAML/JSON migrations file.')
  const single = !trimmed.includes('\n') && !trimmed.includes('->')
  if (single && (/\.(ya?ml|json)$/i.test(trimmed) || existsSync(trimmed))) return parseMigrationsFile(trimmed, readFile)
  return trimmed
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.replace(/#.*$/, '').trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      const parts = line.split('->').map((p) => p.trim())
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        throw new MigrationError('INVALID_INPUT', `Input "migrations", line ${number}: "${line}" is not "source -> target".`)
      }
      return { source: parts[0], target: parts[1] }
    })
}

function parseMigrationsFile(file: string, readFile: (path: string) => string): MigrationPair[] {
  let raw: unknown
  try {
    raw = parseYaml(readFile(file))
  } catch (error) {
    throw new MigrationError('INVALID_INPUT', `Input "migrations": cannot read ${file}: ${errorMessage(error)}`)
  }
  const parsed = fileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MigrationError('INVALID_INPUT', `Input "migrations": ${file}: ${issue?.path.join('.') || 'migrations'} ${issue?.message}. Expected migrations: [{source, target}].`)
  }
  return parsed.data.migrations
}
