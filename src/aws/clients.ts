import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types'

export interface ClientOptions {
  region: string
  endpointUrl?: string
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider
  /** Sockets per host: at least the requests the engine keeps in flight. */
  maxSockets?: number
  /** Per-request timeout, so a stalled connection is retried instead of hanging the job. */
  requestTimeoutMs?: number
}

/**
 * The one place DynamoDB clients are built. The engine takes the client as an argument, so it
 * runs unchanged against AWS, a local server or a fault-injecting proxy. The SDK's own retries
 * are kept low: the engine retries with its own budget and reports what it could not do.
 */
export function dynamoClient(options: ClientOptions): DynamoDBClient {
  return new DynamoDBClient(sharedConfig(options))
}

/** The DynamoDB Streams client (live migration), built like the DynamoDB one; `endpointUrl` serves both locally. */
export function dynamoStreamsClient(options: ClientOptions): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(sharedConfig(options))
}

function sharedConfig(options: ClientOptions) {
  const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 64 }
  return {
    region: options.region,
    endpoint: options.endpointUrl,
    credentials: options.credentials,
    maxAttempts: 3,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      // Without this, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent
    }
  }
}
