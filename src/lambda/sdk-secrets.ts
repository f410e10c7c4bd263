/**
 * Registers the SDK path for secrets (GetParameters, src/aws/ssm-secrets.ts) for entry points that may
 * run where no Parameters and Secrets Lambda Extension runs (local stand-ins, tools). The SDK client is
 * loaded only when that path is taken. The webhook entry point does not import this.
 */
import { useSdkSecretsFallback } from './cold-start';

useSdkSecretsFallback(async (prefix, names, client) => {
  const sdk = await import('../aws/ssm-secrets');
  return sdk.loadSsmSecrets(client ?? sdk.createSsmClient(), prefix, names);
});
