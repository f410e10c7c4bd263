/**
 * The pool of Teams service accounts. Presence subscriptions need a delegated token
 * (Presence.Read.All; "Application: Not supported") and each user may hold one presence
 * subscription per app covering ≤650 users (https://learn.microsoft.com/graph/changenotifications-for-presence),
 * so the bridge subscribes through ceil(N/650) dedicated accounts, as NICE CXone does
 * (https://help.incontact.com/Content/Adapters/PresenceSync/SetUpPresenceSyncTeams.htm).
 *
 * Each account is signed in once by an operator with the device-code flow
 * (`presence-bridge teams login --account <name>`); afterwards tokens are acquired silently from the
 * account's encrypted MSAL cache (token-vault.ts), refreshing with its refresh token. There is no
 * username/password (ROPC) flow: it is deprecated and fails with MFA or Conditional Access
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc).
 * The app registration must allow public client flows for the device-code sign-in.
 */
import { InteractionRequiredAuthError, PublicClientApplication, type INetworkModule } from '@azure/msal-node';
import { InvalidInputError } from '../../errors';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import type { AccessTokenProvider } from './graph-client';
import { buildMsalAuthority, SERVICE_ACCOUNT_SCOPES } from './msal-setup';
import { ServiceAccountSignInRequiredError } from './teams-errors';
import type { TokenVault } from './token-vault';

export interface ServiceAccountRecord {
  readonly name: string;
  /** The signed-in user's UPN, for the operator. */
  readonly username: string;
  /** MSAL's account key in the cache. */
  readonly homeAccountId: string;
  readonly signedInAt: string;
}

interface ServiceAccountRegistry {
  readonly accounts: Readonly<Record<string, ServiceAccountRecord>>;
}

/** What the operator sees during device-code sign-in. */
export interface DeviceCodePrompt {
  readonly message: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly expiresInSeconds: number;
}

export interface ServiceAccountsOptions {
  readonly store: DocumentStore;
  readonly vault: TokenVault;
  readonly clientId: string;
  readonly tenantId: string;
  /** MICROSOFT_LOGIN_BASE_URL. */
  readonly loginBaseUrl: string;
  readonly networkClient?: INetworkModule;
  readonly now?: () => number;
}

export interface ServiceAccounts {
  list(): Promise<ServiceAccountRecord[]>;
  /** Device-code sign-in; resolves when the operator has completed it. */
  login(name: string, onPrompt: (prompt: DeviceCodePrompt) => void, options?: { timeoutSeconds?: number }): Promise<ServiceAccountRecord>;
  /** A delegated Graph token for the account, refreshed silently; throws ServiceAccountSignInRequiredError. */
  acquireToken(name: string, options?: { forceRefresh?: boolean }): Promise<string>;
  tokenProvider(name: string): AccessTokenProvider;
  /** Forgets the account and its tokens (its subscription is deleted by the maintainer). */
  remove(name: string): Promise<void>;
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Account names become document names: lower-case letters, digits, `-` and `_`. */
export function validateAccountName(name: string): string {
  const normalized = name.trim().toLowerCase();
  if (!ACCOUNT_NAME.test(normalized)) {
    throw new InvalidInputError(`account name "${name}" must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit`);
  }
  return normalized;
}

/** The signed-in accounts, read from the store (no credentials needed). */
export async function listServiceAccounts(store: DocumentStore): Promise<ServiceAccountRecord[]> {
  const registry = (await store.getDocument<ServiceAccountRegistry>(TEAMS_DOCUMENTS.serviceAccounts))?.value ?? { accounts: {} };
  return Object.values(registry.accounts).sort((a, b) => a.name.localeCompare(b.name));
}

export function createServiceAccounts(options: ServiceAccountsOptions): ServiceAccounts {
  const now = options.now ?? Date.now;
  const apps = new Map<string, PublicClientApplication>();
  const scopes = [...SERVICE_ACCOUNT_SCOPES];

  const appFor = (name: string): PublicClientApplication => {
    let app = apps.get(name);
    if (!app) {
      app = new PublicClientApplication({
        auth: { clientId: options.clientId, ...buildMsalAuthority(options.loginBaseUrl, options.tenantId) },
        cache: { cachePlugin: options.vault.cachePlugin(name) },
        system: options.networkClient ? { networkClient: options.networkClient } : undefined,
      });
      apps.set(name, app);
    }
    return app;
  };

  const registry = async (): Promise<ServiceAccountRegistry> =>
    (await options.store.getDocument<ServiceAccountRegistry>(TEAMS_DOCUMENTS.serviceAccounts))?.value ?? { accounts: {} };

  const accounts: ServiceAccounts = {
    list: () => listServiceAccounts(options.store),

    async login(rawName, onPrompt, loginOptions = {}) {
      const name = validateAccountName(rawName);
      apps.delete(name);
      const app = appFor(name);
      const result = await app.acquireTokenByDeviceCode({
        scopes,
        deviceCodeCallback: (response) =>
          onPrompt({
            message: response.message,
            userCode: response.userCode,
            verificationUri: response.verificationUri,
            expiresInSeconds: response.expiresIn,
          }),
        ...(loginOptions.timeoutSeconds ? { timeout: loginOptions.timeoutSeconds } : {}),
      });
      const account = result?.account;
      if (!account) throw new InvalidInputError('the sign-in completed without an account; try again');
      const other = Object.values((await registry()).accounts).find((record) => record.homeAccountId === account.homeAccountId && record.name !== name);
      if (other) {
        await options.vault.clear(name);
        // One presence subscription per user per app: two names for one user would 409 each other.
        throw new InvalidInputError(`${account.username} is already service account "${other.name}"; sign in a different user`);
      }
      const record: ServiceAccountRecord = {
        name,
        username: account.username,
        homeAccountId: account.homeAccountId,
        signedInAt: new Date(now()).toISOString(),
      };
      await updateDocument<ServiceAccountRegistry>(options.store, TEAMS_DOCUMENTS.serviceAccounts, (current) => ({
        accounts: { ...(current?.accounts ?? {}), [name]: record },
      }));
      return record;
    },

    async acquireToken(name, tokenOptions = {}) {
      const record = (await registry()).accounts[name];
      if (!record) throw new ServiceAccountSignInRequiredError(name, 'it was never signed in');
      const app = appFor(name);
      const cached = (await app.getTokenCache().getAllAccounts()).find((a) => a.homeAccountId === record.homeAccountId);
      if (!cached) throw new ServiceAccountSignInRequiredError(name, 'no tokens are stored for it');
      try {
        const result = await app.acquireTokenSilent({ account: cached, scopes, forceRefresh: tokenOptions.forceRefresh === true });
        if (!result?.accessToken) throw new ServiceAccountSignInRequiredError(name, 'no access token was returned');
        return result.accessToken;
      } catch (error) {
        // Revoked or expired refresh tokens come back as InteractionRequiredAuthError or as a plain
        // ServerError with `invalid_grant` (e.g. AADSTS50173, AADSTS700082), depending on the suberror.
        if (error instanceof InteractionRequiredAuthError || (error as { errorCode?: unknown }).errorCode === 'invalid_grant') {
          const code = (error as { errorCode?: string }).errorCode;
          throw new ServiceAccountSignInRequiredError(name, code || 'the refresh token was refused', { cause: error });
        }
        throw error;
      }
    },

    tokenProvider(name) {
      return (tokenOptions) => accounts.acquireToken(name, tokenOptions);
    },

    async remove(rawName) {
      const name = validateAccountName(rawName);
      await options.vault.clear(name);
      apps.delete(name);
      await updateDocument<ServiceAccountRegistry>(options.store, TEAMS_DOCUMENTS.serviceAccounts, (current) => {
        const rest = { ...(current?.accounts ?? {}) };
        delete rest[name];
        return { accounts: rest };
      });
    },
  };
  return accounts;
}
