import { fromNodeProviderChain } from '@aws-sdk/credential-providers'
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types'
import { getHomeDir, loadSharedConfigFiles } from '@smithy/core/config'
import path from 'node:path'
import { MigrationError, errorMessage } from '../errors.js'

/** The profile in use and what the shared config files say about it. */
export interface ProfileInfo {
  /** `--profile`, else AWS_PROFILE; none: the default profile (and the whole default chain). */
  name?: string
  /** The `region` of that profile (or of `default`) in the shared config file. */
  region?: string
}

/**
 * Reads the shared config and credentials files as the SDK and the AWS CLI do (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, `[profile NAME]` sections). A profile asked for by name that is in
 * neither file is refused here, before any request, as the AWS CLI refuses it.
 */
export async function readProfile(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<ProfileInfo> {
  const name = flag ?? (env.AWS_PROFILE || undefined)
  const files = await loadSharedConfigFiles({ ignoreCache: true })
  if (name && !files.configFile[name] && !files.credentialsFile[name]) {
    const config = env.AWS_CONFIG_FILE ?? path.join(getHomeDir(), '.aws', 'config')
    const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(getHomeDir(), '.aws', 'credentials')
    throw new MigrationError(
      'INVALID_INPUT',
      `The profile "${name}"${flag ? '' : ' (from AWS_PROFILE)'} is in neither ${config} nor ${credentials}. Create it with: aws configure --profile ${name} (or aws configure sso).`
    )
  }
  return { name, region: files.configFile[name ?? 'default']?.region }
}

/** The region, in the AWS CLI's order: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv, profile: ProfileInfo): { region: string; from: string } {
  if (flag) return { region: flag, from: '--region' }
  if (env.AWS_REGION) return { region: env.AWS_REGION, from: 'AWS_REGION' }
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, from: 'AWS_DEFAULT_REGION' }
  if (profile.region) return { region: profile.region, from: `profile ${profile.name ?? 'default'}` }
  throw new MigrationError('INVALID_INPUT', `No region: pass --region (e.g. us-east-1), set AWS_REGION, or set region in the ${profile.name ?? 'default'} profile.`)
}

/**
 * The standard credential chain (environment, SSO and shared profiles, credential_process,
 * web identity, container and instance metadata), with --profile as the AWS CLI takes it. The
 * credentials are loaded once up front, so a missing or expired login is one clear refusal
 * before any table is touched; the provider refreshes them later as they expire.
 */
export async function loadCredentials(profileFlag: string | undefined): Promise<AwsCredentialIdentityProvider> {
  const provider = fromNodeProviderChain(profileFlag ? { profile: profileFlag } : {})
  try {
    await provider()
  } catch (error) {
    const whose = profileFlag ? ` for profile "${profileFlag}"` : ''
    throw new MigrationError('CREDENTIALS_FAILED', `Could not load AWS credentials${whose}: ${errorMessage(error)} (for SSO profiles: aws sso login --profile NAME).`)
  }
  return provider
}
