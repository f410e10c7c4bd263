/**
 * What every Lambda entry point shares: the cold start (configuration from the environment plus the
 * function's own SecureString parameters under BRIDGE_SSM_PREFIX; see src/aws/function-parameters.ts),
 * done once per container, and the hooks tests use to replace it. Each entry point passes its own
 * composition (`build`), so a bundle contains only the parts its function calls.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { FUNCTION_PARAMETERS, type LambdaFunctionName } from '../aws/function-parameters';
import { loadExtensionSecrets } from '../aws/parameters-extension';
import { loadConfig, secretsExtension, ssmSecretsPrefix, type BridgeConfig, type Env } from '../config';
import { ConfigError } from '../errors';
import { createLogger, type Logger } from '../logger';
import type { AwsBridgeOptions } from '../runtime/aws-bridge';

/** What tests swap in for a real cold start: the environment, the SSM client, and bridge options (clients). */
export interface ColdStartOverrides {
  readonly env?: (fn: LambdaFunctionName) => Env;
  /** The SSM client of the fallback (no extension): only used when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is unset. */
  readonly ssm?: (fn: LambdaFunctionName) => SSMClient;
  readonly bridge?: (fn: LambdaFunctionName) => AwsBridgeOptions;
}

/** Builds one function's parts from its configuration. */
export type BuildFunction<T> = (config: BridgeConfig, logger: Logger, options: AwsBridgeOptions & { function: LambdaFunctionName }) => T;

let overrides: ColdStartOverrides = {};
/** A container only ever runs one function; tests run all of them in one process, each with its own instance. */
const instances: Partial<Record<LambdaFunctionName, Promise<unknown>>> = {};

async function coldStart<T>(fn: LambdaFunctionName, build: BuildFunction<T>): Promise<T> {
  const env = overrides.env?.(fn) ?? process.env;
  const prefix = ssmSecretsPrefix(env);
  const secrets = prefix ? await loadSecrets(fn, env, prefix) : {};
  const config = loadConfig(env, secrets);
  const logger = createLogger(config.logLevel);
  for (const notice of config.notices) logger.warn(notice);
  return build(config, logger, { ...overrides.bridge?.(fn), function: fn });
}

/** Reads parameters with the SDK (GetParameters), where no extension runs; `client` is the tests' stand-in. */
export type SdkSecretsLoader = (prefix: string, names: readonly string[], client: SSMClient | undefined) => Promise<Record<string, string>>;
let sdkSecrets: SdkSecretsLoader | undefined;

/**
 * Entry points that may run without the extension register the SDK path (src/lambda/sdk-secrets.ts).
 * The webhook's does not, so its bundle holds no SSM client at all (README "Performance").
 */
export function useSdkSecretsFallback(loader: SdkSecretsLoader): void {
  sdkSecrets = loader;
}

/**
 * The function's own parameters. On Lambda through the Parameters and Secrets Lambda Extension (a local
 * HTTP GET per name; no SSM client is loaded). Without it (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT unset:
 * local stand-ins, tools) with the SDK's GetParameters where the entry point registered it.
 * bench/cold-start.ts measures both (README "Performance").
 */
async function loadSecrets(fn: LambdaFunctionName, env: Env, prefix: string): Promise<Record<string, string>> {
  const extension = secretsExtension(env);
  if (extension) return loadExtensionSecrets(extension, prefix, FUNCTION_PARAMETERS[fn]);
  if (!sdkSecrets) {
    throw new ConfigError(
      `the ${fn} function reads its secrets only through the Parameters and Secrets Lambda Extension: deploy it with the layer ` +
        '(serverless.yml sets PARAMETERS_SECRETS_EXTENSION_HTTP_PORT), or point PARAMETERS_SECRETS_EXTENSION_HTTP_PORT at a stand-in of it',
    );
  }
  return sdkSecrets(prefix, FUNCTION_PARAMETERS[fn], overrides.ssm?.(fn));
}

/** The container's parts for `fn`; a failed cold start is retried on the next invocation. */
export function getFunctionParts<T>(fn: LambdaFunctionName, build: BuildFunction<T>): Promise<T> {
  instances[fn] ??= coldStart(fn, build).catch((error: unknown) => {
    instances[fn] = undefined;
    throw error;
  });
  return instances[fn] as Promise<T>;
}

/**
 * For tests: every function uses this instance instead of building one from the environment
 * (an AwsBridge from src/runtime/aws-bridge.ts serves all four); `undefined` forgets them.
 */
export function useBridgeForTests(instance: object | undefined): void {
  for (const fn of Object.keys(FUNCTION_PARAMETERS) as LambdaFunctionName[]) {
    instances[fn] = instance ? Promise.resolve(instance) : undefined;
  }
}

/** For tests: run the real cold start (SSM read, config, composition) with these overrides; `{}` restores the defaults. */
export function useColdStartForTests(next: ColdStartOverrides): void {
  overrides = next;
  useBridgeForTests(undefined);
}

/** Builds a per-instance value once (a handler next to its parts, not one per invocation). */
export function onePerInstance<P extends object, V>(create: (parts: P) => V): (parts: P) => V {
  const made = new WeakMap<P, V>();
  return (parts) => {
    let value = made.get(parts);
    if (value === undefined) {
      value = create(parts);
      made.set(parts, value);
    }
    return value;
  };
}
