/**
 * Which SSM parameters (under BRIDGE_SSM_PREFIX) each Lambda function reads at cold start. Each
 * function's IAM role in serverless.yml grants `ssm:GetParameter` on exactly these names (the Parameters
 * and Secrets Lambda Extension reads each with it), so the public
 * webhook function never holds the Genesys, Microsoft Graph or RingCentral app credentials
 * (test/aws/iam-conformance.test.ts keeps the two in step).
 */
export type LambdaFunctionName = 'webhook' | 'worker' | 'maintainer' | 'status';

/** What the webhook verifies with: signing secrets, client states, the rich-notification key. */
const WEBHOOK = [
  'ZOOM_WEBHOOK_SECRET_TOKEN',
  'TEAMS_CLIENT_STATE',
  'TEAMS_TENANT_ID',
  'TEAMS_CLIENT_ID',
  'TEAMS_ENCRYPTION_PRIVATE_KEY',
  'TEAMS_ENCRYPTION_CERTIFICATE',
  'TEAMS_ENCRYPTION_CERTIFICATE_ID',
  'RINGCENTRAL_VERIFICATION_TOKEN',
] as const;

/**
 * Genesys (the writes) and the Teams app (queued Teams tasks: presence reads, subscription re-creation,
 * which sets clientState and, for rich notifications, the certificate).
 */
const WORKER = [
  'GENESYS_CLIENT_ID',
  'GENESYS_CLIENT_SECRET',
  'TEAMS_TENANT_ID',
  'TEAMS_CLIENT_ID',
  'TEAMS_CLIENT_SECRET',
  'TEAMS_CLIENT_STATE',
  'TEAMS_TOKEN_ENCRYPTION_KEY',
  'TEAMS_ENCRYPTION_PRIVATE_KEY',
  'TEAMS_ENCRYPTION_CERTIFICATE',
  'TEAMS_ENCRYPTION_CERTIFICATE_ID',
] as const;

/** The worker's, plus the RingCentral app (directory and webhook subscription). */
const MAINTAINER = [...WORKER, 'RINGCENTRAL_CLIENT_ID', 'RINGCENTRAL_CLIENT_SECRET', 'RINGCENTRAL_JWT', 'RINGCENTRAL_VERIFICATION_TOKEN'] as const;

/** The page's bearer token, and Genesys for the primary sources it shows on request (`?primary=1`). */
const STATUS = ['STATUS_PAGE_TOKEN', 'GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET'] as const;

export const FUNCTION_PARAMETERS: Readonly<Record<LambdaFunctionName, readonly string[]>> = {
  webhook: WEBHOOK,
  worker: WORKER,
  maintainer: MAINTAINER,
  status: STATUS,
};
