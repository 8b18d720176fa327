export interface LocalServer {
  endpoint: string
  pid: number | undefined
  stop(): Promise<void>
}
export function freePort(): Promise<number>
export function startDynalite(): Promise<LocalServer>
export function startDynamoDbLocal(): Promise<LocalServer>
export function isLoopbackOnly(): boolean
export function dynamoDbLocalJar(): string | undefined
