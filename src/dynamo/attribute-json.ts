import type { AttributeValue } from '@aws-sdk/client-dynamodb'

/**
 * DynamoDB JSON as it is stored in files (DynamoDB's S3 export, `aws dynamodb scan`):
 * the SDK's AttributeValue with binary values as base64 strings. Numbers stay strings all
 * the way through: a DynamoDB number never passes through a JavaScript number.
 */
export type JsonAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, JsonAttributeValue> }
  | { L: JsonAttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean }

export type JsonItem = Record<string, JsonAttributeValue>
export type SdkItem = Record<string, AttributeValue>

const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
const fromBase64 = (s: string): Uint8Array => Buffer.from(s, 'base64')

/** Converts an item read from DynamoDB into its file form. */
export function toJsonItem(item: SdkItem): JsonItem {
  const out: JsonItem = {}
  for (const name of Object.keys(item)) setOwn(out, name, toJsonValue(item[name] as AttributeValue))
  return out
}

/**
 * `out[name] = value`, except that a `__proto__` attribute (a valid DynamoDB name, and common in
 * maps built from user JSON) becomes an own property instead of replacing the prototype and
 * vanishing from the copy.
 */
function setOwn<T>(out: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
  else out[name] = value
}

export function toJsonValue(v: AttributeValue): JsonAttributeValue {
  if (v.S !== undefined) return { S: v.S }
  if (v.N !== undefined) return { N: v.N }
  if (v.B !== undefined) return { B: toBase64(v.B) }
  if (v.BOOL !== undefined) return { BOOL: v.BOOL }
  if (v.NULL !== undefined) return { NULL: v.NULL }
  if (v.SS !== undefined) return { SS: v.SS }
  if (v.NS !== undefined) return { NS: v.NS }
  if (v.BS !== undefined) return { BS: v.BS.map(toBase64) }
  if (v.M !== undefined) return { M: toJsonItem(v.M) }
  if (v.L !== undefined) return { L: v.L.map(toJsonValue) }
  throw new Error(`Unsupported attribute value: ${Object.keys(v).join(',')}`)
}

/** Converts an item from its file form to what the SDK sends. */
export function toSdkItem(item: JsonItem): SdkItem {
  const out: SdkItem = {}
  for (const name of Object.keys(item)) setOwn(out, name, toSdkValue(item[name] as JsonAttributeValue))
  return out
}

export function toSdkValue(v: JsonAttributeValue): AttributeValue {
  if ('S' in v) return { S: v.S }
  if ('N' in v) return { N: v.N }
  if ('B' in v) return { B: fromBase64(v.B) }
  if ('BOOL' in v) return { BOOL: v.BOOL }
  if ('NULL' in v) return { NULL: v.NULL }
  if ('SS' in v) return { SS: v.SS }
  if ('NS' in v) return { NS: v.NS }
  if ('BS' in v) return { BS: v.BS.map(fromBase64) }
  if ('M' in v) return { M: toSdkItem(v.M) }
  if ('L' in v) return { L: v.L.map(toSdkValue) }
  throw new Error(`Unsupported attribute value: ${Object.keys(v as object).join(',')}`)
}
