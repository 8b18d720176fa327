import { describe, expect, it } from '@jest/globals'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { toJsonItem, toJsonValue, toSdkItem, toSdkValue, type JsonItem, type SdkItem } from '../../src/dynamo/attribute-json.js'

const bytes = (...b: number[]) => new Uint8Array(b)

/** Compares binary by content whatever its Uint8Array subclass (the SDK uses Uint8Array, Buffer is one). */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) }
  if (Array.isArray(value)) return value.map(plain)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

describe('toJsonItem / toSdkItem', () => {
  const cases: Array<[string, AttributeValue, unknown]> = [
    ['S', { S: 'hello ✓' }, { S: 'hello ✓' }],
    ['empty S', { S: '' }, { S: '' }],
    ['N', { N: '12345678901234567890123456789012345678' }, { N: '12345678901234567890123456789012345678' }],
    ['B', { B: bytes(0, 1, 2, 255) }, { B: 'AAEC/w==' }],
    ['empty B', { B: bytes() }, { B: '' }],
    ['SS', { SS: ['a', 'b'] }, { SS: ['a', 'b'] }],
    ['NS', { NS: ['1', '-2.5', '1E+2'] }, { NS: ['1', '-2.5', '1E+2'] }],
    ['BS', { BS: [bytes(1), bytes(2, 3)] }, { BS: ['AQ==', 'AgM='] }],
    ['BOOL true', { BOOL: true }, { BOOL: true }],
    ['BOOL false', { BOOL: false }, { BOOL: false }],
    ['NULL', { NULL: true }, { NULL: true }],
    ['M', { M: { a: { S: 'x' }, b: { N: '1' } } }, { M: { a: { S: 'x' }, b: { N: '1' } } }],
    ['empty M', { M: {} }, { M: {} }],
    ['L', { L: [{ S: 'x' }, { N: '2' }, { B: bytes(9) }] }, { L: [{ S: 'x' }, { N: '2' }, { B: 'CQ==' }] }],
    ['empty L', { L: [] }, { L: [] }]
  ]

  it.each(cases)('converts %s to its file form and back', (_name, sdk, json) => {
    const jsonItem = toJsonItem({ v: sdk })
    expect(jsonItem).toEqual({ v: json })
    expect(plain(toSdkItem(jsonItem))).toEqual(plain({ v: sdk }))
  })

  it('writes binary values as standard base64', () => {
    expect(toJsonValue({ B: bytes(0xfb, 0xff, 0xfe) })).toEqual({ B: '+//+' })
  })

  it('encodes only the bytes of a Uint8Array view, not its whole buffer', () => {
    const buffer = bytes(1, 2, 3, 4, 5, 6)
    expect(toJsonValue({ B: buffer.subarray(2, 4) })).toEqual({ B: Buffer.from([3, 4]).toString('base64') })
    expect(toJsonValue({ BS: [buffer.subarray(5)] })).toEqual({ BS: ['Bg=='] })
  })

  it('decodes base64 into bytes the SDK can send', () => {
    const sdk = toSdkValue({ B: 'AAEC/w==' })
    expect(sdk.B).toBeInstanceOf(Uint8Array)
    expect(Array.from(sdk.B as Uint8Array)).toEqual([0, 1, 2, 255])
    const set = toSdkValue({ BS: ['AQ==', 'AgM='] }).BS as Uint8Array[]
    expect(set.map((b) => Array.from(b))).toEqual([[1], [2, 3]])
  })

  it('keeps numbers as strings, never rounding them', () => {
    const big = '123456789012345678901234567890.12345678'
    expect(toJsonValue({ N: big })).toEqual({ N: big })
    expect(toSdkValue({ N: big })).toEqual({ N: big })
    expect(toSdkValue({ NS: [big, '1E+125'] })).toEqual({ NS: [big, '1E+125'] })
  })

  it('round-trips a deeply nested item of every type', () => {
    const sdk: SdkItem = {
      pk: { S: 'order#1' },
      sk: { N: '0.000001' },
      raw: { B: bytes(104, 105) },
      flags: { BOOL: false },
      none: { NULL: true },
      names: { SS: ['x', 'y'] },
      nums: { NS: ['3', '1'] },
      blobs: { BS: [bytes(0), bytes(255, 255)] },
      doc: {
        M: {
          lines: {
            L: [
              { M: { sku: { S: 'A-1' }, qty: { N: '2' }, img: { B: bytes(1, 2) } } },
              { L: [{ NULL: true }, { BOOL: true }, { SS: ['s'] }, { NS: ['7'] }, { BS: [bytes(7)] }] }
            ]
          },
          empty: { M: {} }
        }
      }
    }
    const json = toJsonItem(sdk)
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
    expect(plain(toSdkItem(json))).toEqual(plain(sdk))
    expect(toJsonItem(toSdkItem(json))).toEqual(json)
  })

  it('round-trips file form through the SDK form unchanged', () => {
    const json: JsonItem = {
      id: { S: 'k' },
      b: { B: 'AAEC/w==' },
      bs: { BS: ['AQ==', 'AgM='] },
      m: { M: { l: { L: [{ N: '1.50' }, { M: { z: { NULL: true } } }] } } }
    }
    expect(toJsonItem(toSdkItem(json))).toEqual(json)
  })

  it('converts an empty item', () => {
    expect(toJsonItem({})).toEqual({})
    expect(toSdkItem({})).toEqual({})
  })

  it('rejects an attribute value with no known type', () => {
    expect(() => toJsonValue({ $unknown: ['X', 1] } as unknown as AttributeValue)).toThrow('Unsupported attribute value')
    expect(() => toSdkValue({} as never)).toThrow('Unsupported attribute value')
  })
})
