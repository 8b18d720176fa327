import path from 'node:path'
import { MigrationError } from '../errors.js'
import { isRecord, readTemplateFile, readTextFile, type ReadFile } from './template-file.js'
import { hasVariables, parsePieces, type Alternative, type Piece, type VariableRef } from './variable-syntax.js'

/**
 * Resolution of Serverless Framework variables in a parsed `serverless.yml`, lazily: only the
 * values asked for are resolved, so a `${ssm:...}` elsewhere in the file does not get in the way.
 * Supported: `self:`, `opt:`, `sls:stage`, `env:`, `param:`, `aws:region`, `aws:accountId`
 * (when given), `file(...)` of YAML/JSON, fallbacks and nesting; `self:provider.stage` and
 * `self:provider.region` default to the stage and region given when the file leaves them out. Anything else without a
 * fallback is a TEMPLATE_UNRESOLVED error naming the variable, the file and where it is.
 */

export interface VariableSources {
  /** `--stage`: `${opt:stage}`, `${sls:stage}`. */
  stage: string
  /** `--region`: `${opt:region}`, `${aws:region}`. */
  region?: string
  /** Other CLI options, for `${opt:name}`. */
  cliOptions?: Record<string, string>
  /** For `${env:NAME}`. */
  env?: Record<string, string | undefined>
  /** For `${aws:accountId}`. */
  accountId?: string
  readFile?: ReadFile
}

type Lookup = { found: true; value: unknown } | { found: false; reason: string }

const notFound = (reason: string): Lookup => ({ found: false, reason })

export class ServerlessVariables {
  private readonly inProgress = new Set<string>()

  constructor(
    private readonly config: Record<string, unknown>,
    /** The file, as given: named in errors, base of relative `file(...)` paths. */
    readonly file: string,
    private readonly sources: VariableSources
  ) {}

  /**
   * A string's variables resolved (other values as they are); `where` is a property path for
   * errors. An object a variable points to comes back unresolved inside: `deep` resolves it.
   */
  shallow(value: unknown, where: string): unknown {
    if (typeof value !== 'string') return value
    const pieces = parsePieces(value)
    if (!hasVariables(pieces)) return value
    return this.resolvePieces(pieces, where)
  }

  /** Every variable in `value` and below it resolved. */
  deep(value: unknown, where: string): unknown {
    if (typeof value === 'string') {
      const resolved = this.shallow(value, where)
      return resolved !== null && typeof resolved === 'object' ? this.deep(resolved, where) : resolved
    }
    if (Array.isArray(value)) return value.map((v, i) => this.deep(v, `${where}[${i}]`))
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, where ? `${where}.${k}` : k)]))
    return value
  }

  /** The config value at a dotted path (`provider.stage`), resolved; undefined when absent. */
  get(address: string, where = address): unknown {
    return this.deep(this.walk(this.config, address, `self:${address}`, where), address)
  }

  /** The value at `address` below `root`, its own variables resolved but not those inside it. */

  private walk(root: unknown, address: string, key: string, where: string): unknown {
    if (this.inProgress.has(key)) throw this.error(`\${${key}}`, where, `it refers back to itself (${[...this.inProgress, key].join(' → ')})`)
    this.inProgress.add(key)
    try {
      let node: unknown = root
      const walked: string[] = []
      for (const segment of address.split('.').filter(Boolean)) {
        node = this.shallow(node, walked.join('.') || where)
        if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)]
        else if (isRecord(node)) node = node[segment]
        else return undefined
        walked.push(segment)
      }
      return this.shallow(node, address || where)
    } finally {
      this.inProgress.delete(key)
    }
  }

  private resolvePieces(pieces: Piece[], where: string): unknown {
    if (pieces.length === 1 && typeof pieces[0] !== 'string') return this.resolveVariable(pieces[0] as VariableRef, where)
    return pieces
      .map((piece) => {
        if (typeof piece === 'string') return piece
        const value = this.resolveVariable(piece, where)
        if (value !== null && typeof value === 'object') throw this.error(piece.raw, where, 'it is an object or a list, inside a string')
        return String(value)
      })
      .join('')
  }

  private resolveVariable(variable: VariableRef, where: string): unknown {
    const result = this.tryVariable(variable, where)
    if (result.found) return result.value
    throw this.error(variable.raw, where, result.reason)
  }

  private tryVariable(variable: VariableRef, where: string): Lookup {
    let last: Lookup = notFound('it has no value')
    for (const alternative of variable.alternatives) {
      last = this.tryAlternative(alternative, where)
      if (last.found) return last
    }
    return last
  }

  private tryAlternative(alternative: Alternative, where: string): Lookup {
    switch (alternative.kind) {
      case 'literal':
        return { found: true, value: alternative.value }
      case 'variable':
        return this.tryVariable(alternative.variable, where)
      case 'invalid':
        return notFound(`"${alternative.raw}" is not a variable reference (source:address or 'literal')`)
      case 'source': {
        const address = String(this.resolvePieces(alternative.address, where) ?? '')
        const param = alternative.param ? String(this.resolvePieces(alternative.param, where) ?? '') : undefined
        const lookup = this.trySource(alternative.source, address, param, where)
        if (lookup.found && lookup.value === undefined) return notFound(`${alternative.raw} has no value`)
        return lookup
      }
    }
  }

  private trySource(source: string, address: string, param: string | undefined, where: string): Lookup {
    const found = (value: unknown, reason: string): Lookup => (value === undefined || value === null ? notFound(reason) : { found: true, value })
    const s = this.sources
    switch (source) {
      case 'self': {
        const value = this.walk(this.config, address, `self:${address}`, where)
        if (address === 'service' && isRecord(value) && typeof value.name === 'string') return { found: true, value: value.name }
        // Not written in the file: what the framework would use for this deploy.
        if (value === undefined && address === 'provider.stage') return { found: true, value: s.stage }
        if (value === undefined && address === 'provider.region') return { found: true, value: s.region ?? 'us-east-1' }
        return found(value, `"${address}" is not set in ${this.file}`)
      }
      case 'opt': {
        const value = address === 'stage' ? s.stage : address === 'region' ? s.region : s.cliOptions?.[address]
        return found(value, `no --${address} option is given`)
      }
      case 'sls':
        if (address === 'stage') return { found: true, value: s.stage }
        return notFound(`sls:${address} is only known during a deploy`)
      case 'env':
        return found(s.env?.[address], `the environment variable ${address} is not set`)
      case 'aws':
        if (address === 'region') return { found: true, value: s.region ?? this.get('provider.region', where) ?? 'us-east-1' }
        if (address === 'accountId') return found(s.accountId, 'the AWS account id is not given')
        return notFound(`aws:${address} is not supported`)
      case 'param': {
        const params = this.get('params', where)
        const byStage = isRecord(params) ? params[s.stage] : undefined
        const fallback = isRecord(params) ? params.default : undefined
        return found((isRecord(byStage) ? byStage[address] : undefined) ?? (isRecord(fallback) ? fallback[address] : undefined), `params.${s.stage}.${address} and params.default.${address} are not set`)
      }
      case 'file':
        return this.tryFile(param ?? '', address, where)
      case 'ssm':
      case 'cf':
      case 's3':
      case 'secretsmanager':
        return notFound(`${source} values are only known with AWS access during a deploy`)
      default:
        return notFound(`the variable source "${source}" is not supported here`)
    }
  }

  private tryFile(relative: string, address: string, where: string): Lookup {
    if (!/\.(ya?ml|json)$/i.test(relative)) return notFound(`only YAML and JSON files can be read, not ${relative}`)
    const file = path.resolve(path.dirname(this.file), relative)
    const readFile = this.sources.readFile ?? readTextFile
    let content: unknown
    try {
      content = readTemplateFile(file, readFile)
    } catch (error) {
      return notFound((error as Error).message)
    }
    const value = this.walk(content, address, `file(${relative}):${address}`, `${relative}${address ? `:${address}` : ''}`)
    return value === undefined ? notFound(`${relative} has no ${address || 'content'}`) : { found: true, value }
  }

  private error(variable: string, where: string, reason: string): MigrationError {
    return new MigrationError(
      'TEMPLATE_UNRESOLVED',
      `Cannot resolve the variable ${variable} in ${this.file} at ${where}: ${reason}. Give it a value, or a fallback such as ${variable.replace(/\}$/, ", 'value'}")}.`,
      { variable, file: this.file, where }
    )
  }
}
