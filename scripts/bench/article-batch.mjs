// The article's method without the AWS CLI: one new process per batch of 25 items, which sends
// a single BatchWriteItem and exits, like `aws dynamodb batch-write-item --request-items
// file://batch.json`. As in the article, unprocessed items are printed, not retried.
// Usage: node article-batch.mjs <endpoint> <request-items.json>
import { readFileSync } from 'node:fs'
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'

const [endpoint, file] = process.argv.slice(2)
const requestItems = JSON.parse(readFileSync(file, 'utf8'))
// The CLI decodes base64 blobs from file:// JSON; do the same.
const decode = (v) => {
  if (v.B !== undefined) return { B: Buffer.from(v.B, 'base64') }
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b, 'base64')) }
  if (v.M !== undefined) return { M: Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, decode(x)])) }
  if (v.L !== undefined) return { L: v.L.map(decode) }
  return v
}
for (const requests of Object.values(requestItems)) {
  for (const r of requests) r.PutRequest.Item = Object.fromEntries(Object.entries(r.PutRequest.Item).map(([k, v]) => [k, decode(v)]))
}
const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
const out = await client.send(new BatchWriteItemCommand({ RequestItems: requestItems }))
process.stdout.write(JSON.stringify({ UnprocessedItems: out.UnprocessedItems ?? {} }) + '\n')
client.destroy()
