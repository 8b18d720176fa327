// Starts the DynamoDB servers once for the whole jest run; their endpoints reach the test
// workers through the environment (workers are started after this runs).
import { startDynalite, startDynamoDbLocal, isLoopbackOnly } from '../../scripts/local-servers.mjs'

export default async function globalSetup() {
  const servers = []
  const dynalite = await startDynalite()
  servers.push(dynalite)
  process.env.DYNALITE_ENDPOINT = dynalite.endpoint
  if (isLoopbackOnly() && process.env.SKIP_DYNAMODB_LOCAL !== '1') {
    const local = await startDynamoDbLocal()
    servers.push(local)
    process.env.DYNAMODB_LOCAL_ENDPOINT = local.endpoint
  }
  globalThis.__DDB_SERVERS__ = servers
}
