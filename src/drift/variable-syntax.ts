/**
 * Syntax of Serverless Framework variables: `${source:address}`, `${file(path):address}`,
 * fallbacks after commas (`${opt:stage, 'dev'}`, `${opt:stage, self:provider.stage}`) and
 * nesting (`${self:custom.tables.${sls:stage}}`). `${AWS::Region}`, `${Param}`,
 * `${Resource.Attr}` and `${!Literal}` are CloudFormation `Fn::Sub` syntax and stay text.
 */

export type Piece = string | VariableRef

export interface VariableRef {
  /** As written, `${...}` included, for messages. */
  raw: string
  alternatives: Alternative[]
}

export type Alternative =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'variable'; variable: VariableRef }
  | { kind: 'source'; raw: string; source: string; param?: Piece[]; address: Piece[] }
  | { kind: 'invalid'; raw: string }

/** Index of the `}` closing the `${` that starts at `start`, or -1. Quotes and nesting respected. */
function closingBrace(text: string, start: number): number {
  let depth = 0
  let quote: string | undefined
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === '$' && text[i + 1] === '{') {
      depth++
      i++
    } else if ((c === "'" || c === '"') && depth > 0) {
      quote = c
    } else if (c === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** Whether a `${...}` body is a Serverless variable rather than `Fn::Sub` text. */
function isVariableBody(body: string): boolean {
  const first = body.trim()
  return first.startsWith('${') || /^['"]/.test(first) || /^[a-zA-Z][\w]*(\(|:(?!:))/.test(first)
}

/** Splits text into literal text and variables. */
export function parsePieces(text: string): Piece[] {
  const pieces: Piece[] = []
  let buffer = ''
  let i = 0
  while (i < text.length) {
    const start = text.indexOf('${', i)
    if (start < 0) break
    const end = closingBrace(text, start)
    if (end < 0) break
    const body = text.slice(start + 2, end)
    buffer += text.slice(i, start)
    if (isVariableBody(body)) {
      if (buffer) pieces.push(buffer)
      buffer = ''
      pieces.push(parseVariable(text.slice(start, end + 1)))
    } else {
      buffer += text.slice(start, end + 1)
    }
    i = end + 1
  }
  buffer += text.slice(i)
  if (buffer) pieces.push(buffer)
  return pieces
}

export const hasVariables = (pieces: Piece[]) => pieces.some((p) => typeof p !== 'string')

/** Splits at commas outside quotes, parentheses and nested variables. */
function splitTopLevel(body: string): string[] {
  const out: string[] = []
  let depth = 0
  let quote: string | undefined
  let current = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === '$' && body[i + 1] === '{') {
      depth++
      current += c + '{'
      i++
      continue
    } else if (c === '(') depth++
    else if (c === '}' || c === ')') depth--
    else if (c === ',' && depth === 0) {
      out.push(current)
      current = ''
      continue
    }
    current += c
  }
  out.push(current)
  return out
}

/** Parses `${...}` (braces included). */
export function parseVariable(raw: string): VariableRef {
  return { raw, alternatives: splitTopLevel(raw.slice(2, -1)).map((a) => parseAlternative(a.trim())) }
}

function parseAlternative(text: string): Alternative {
  const quoted = /^'(.*)'$|^"(.*)"$/s.exec(text)
  if (quoted) return { kind: 'literal', value: quoted[1] ?? quoted[2] ?? '' }
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: 'literal', value: Number(text) }
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' }
  if (text === 'null') return { kind: 'literal', value: null }
  if (text.startsWith('${') && closingBrace(text, 0) === text.length - 1) return { kind: 'variable', variable: parseVariable(text) }
  const source = /^[a-zA-Z][\w]*/.exec(text)?.[0]
  if (!source) return { kind: 'invalid', raw: text }
  let rest = text.slice(source.length)
  let param: Piece[] | undefined
  if (rest.startsWith('(')) {
    let depth = 0
    let close = -1
    for (let i = 0; i < rest.length && close < 0; i++) {
      if (rest[i] === '(') depth++
      else if (rest[i] === ')' && --depth === 0) close = i
    }
    if (close < 0) return { kind: 'invalid', raw: text }
    param = parsePieces(rest.slice(1, close).trim())
    rest = rest.slice(close + 1)
    if (!rest) return { kind: 'source', raw: text, source, param, address: [] }
  }
  if (!rest.startsWith(':')) return { kind: 'invalid', raw: text }
  return { kind: 'source', raw: text, source, ...(param ? { param } : {}), address: parsePieces(rest.slice(1).trim()) }
}
