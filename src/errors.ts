/**
 * Every refusal and failure the engine raises carries a stable code, so callers and tests
 * match on the code, never on message text. `refusal` errors mean nothing was written.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_TABLE_NAME'
  | 'SAME_SOURCE_AND_TARGET'
  | 'DUPLICATE_TARGET'
  | 'CHAINED_PAIRS'
  | 'SOURCE_MISSING'
  | 'TARGET_MISSING'
  | 'TARGET_NOT_EMPTY'
  | 'SCHEMA_MISMATCH'
  | 'BACKUP_INVALID'
  | 'BACKUP_MISMATCH'
  | 'WRITE_INCOMPLETE'
  | 'VERIFY_MISMATCH'
  | 'DELETE_REFUSED'
  | 'PHASE_ORDER'
  | 'TABLE_NOT_ACTIVE'
  | 'AWS_ERROR'
  | 'TEMPLATE_UNRESOLVED'
  | 'GITHUB_ERROR'
  | 'CREDENTIALS_FAILED'
  | 'STREAM_NOT_ENABLED'
  | 'STREAM_RETENTION'
  | 'STREAM_TRIMMED'

/** Codes that mean "refused before anything was changed" (exit code 2 in the CLI). */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_INPUT',
  'INVALID_TABLE_NAME',
  'SAME_SOURCE_AND_TARGET',
  'DUPLICATE_TARGET',
  'CHAINED_PAIRS',
  'SOURCE_MISSING',
  'TARGET_MISSING',
  'TARGET_NOT_EMPTY',
  'SCHEMA_MISMATCH',
  'BACKUP_INVALID',
  'BACKUP_MISMATCH',
  'DELETE_REFUSED',
  'PHASE_ORDER',
  'TEMPLATE_UNRESOLVED',
  'STREAM_NOT_ENABLED',
  'STREAM_RETENTION'
])

export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
  }

  get isRefusal(): boolean {
    return REFUSALS.has(this.code)
  }
}

/** A message for anything thrown, including non-Error values (a thrown string is still a failure). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}
