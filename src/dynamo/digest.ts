import { createHash } from 'node:crypto'
import type { JsonItem } from './attribute-json.js'
import { canonicalItem } from './canonical.js'

const MODULUS = 1n << 256n

/** SHA-256 of an item's canonical text, as 64 hex digits. */
export function itemHash(item: JsonItem): string {
  return createHash('sha256').update(canonicalItem(item)).digest('hex')
}

/**
 * Order-independent content digest of a set of items: the sum of their SHA-256 hashes modulo
 * 2^256 (DESIGN.md). Digests of disjoint parts (scan segments, workers, shards) combine by
 * addition, so parallel scans need no ordering.
 */
export class ContentDigest {
  private sum = 0n
  private items = 0

  add(item: JsonItem): string {
    const hash = itemHash(item)
    this.addHash(hash)
    return hash
  }

  addHash(hex: string): void {
    this.sum = (this.sum + BigInt('0x' + hex)) % MODULUS
    this.items++
  }

  merge(other: ContentDigest | { count: number; digest: string }): this {
    const digest = other instanceof ContentDigest ? other.digest : other.digest
    this.sum = (this.sum + BigInt('0x' + digest)) % MODULUS
    this.items += other.count
    return this
  }

  get count(): number {
    return this.items
  }

  get digest(): string {
    return this.sum.toString(16).padStart(64, '0')
  }

  toJSON(): { count: number; digest: string } {
    return { count: this.count, digest: this.digest }
  }

  static combine(parts: Array<{ count: number; digest: string }>): ContentDigest {
    const total = new ContentDigest()
    for (const part of parts) total.merge(part)
    return total
  }
}
