/** Input and output names, in one place so action.yml, the code and the tests cannot drift. */
export enum Inputs {
  Mode = 'mode',
  Migrations = 'migrations',
  AwsRegion = 'aws-region',
  RoleToAssume = 'role-to-assume',
  RoleSessionName = 'role-session-name',
  Audience = 'audience',
  EndpointUrl = 'endpoint-url',
  StsEndpointUrl = 'sts-endpoint-url',
  CreateTarget = 'create-target',
  AllowNonEmptyTarget = 'allow-non-empty-target',
  ScanSegments = 'scan-segments',
  ConsistentRead = 'consistent-read',
  WriteConcurrency = 'write-concurrency',
  MaxWriteRate = 'max-write-rate',
  TableConcurrency = 'table-concurrency',
  MaxRetries = 'max-retries',
  BackupDir = 'backup-dir',
  UploadArtifact = 'upload-artifact',
  ArtifactRetentionDays = 'artifact-retention-days',
  Backup = 'backup',
  TempTable = 'temp-table',
  ConfirmDelete = 'confirm-delete',
  DisableDeletionProtection = 'disable-deletion-protection',
  AwsBackupBeforeDelete = 'aws-backup-before-delete',
  ProtectedEnvironments = 'protected-environments',
  Environment = 'environment',
  GithubToken = 'github-token',
  CommentOnPr = 'comment-on-pr',
  NamingConvention = 'naming-convention',
  Stage = 'stage',
  Service = 'service',
  IacTemplate = 'iac-template',
  ManagedTables = 'managed-tables',
  StackName = 'stack-name',
  TemplateParameters = 'template-parameters',
  MigrationsFile = 'migrations-file',
  AdoptOutputDir = 'adopt-output-dir'
}

export enum Outputs {
  Result = 'result',
  ItemsCopied = 'items-copied',
  Verified = 'verified',
  BackupArtifact = 'backup-artifact',
  Migrations = 'migrations',
  Recommendations = 'recommendations',
  AdoptFiles = 'adopt-files'
}

export const MODES = ['plan', 'migrate', 'verify', 'delete', 'restore', 'to-temp', 'delete-source', 'from-temp', 'drop-temp', 'drift'] as const
