/**
 * The sandbox's Microsoft identity platform (served over HTTPS: msal-node refuses http authorities):
 * OpenID configuration by tenant id or domain (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc),
 * the device-code endpoint and the token endpoint with client credentials, device code and refresh
 * token grants (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code), with
 * Entra's error codes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { MicrosoftState } from './microsoft-state';
import { readBody, send } from './sandbox-http';

export function createLoginHandler(state: MicrosoftState): http.RequestListener {
  const { tenantId } = state;
  return (req, res) => {
    void (async () => {
      const loginBaseUrl = state.urls.loginBaseUrl;
      const url = new URL(req.url ?? '/', loginBaseUrl);
      const body = await readBody(req);
      const form = new URLSearchParams(body);
      state.requests.push({ server: 'login', method: req.method ?? '', path: url.pathname, grantType: form.get('grant_type') ?? undefined });
      const failure = state.takeFailure(req.method ?? '', url.pathname);
      if (failure) {
        send(res, failure.status, failure.body ?? { error: { code: 'injected', message: `injected ${failure.status}` } }, failure.headers);
        return;
      }
      const base = `${loginBaseUrl}/${tenantId}`;
      const openIdPath = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
      const openIdTenant = openIdPath ? decodeURIComponent(openIdPath[1]).toLowerCase() : undefined;
      if (req.method === 'GET' && openIdPath && openIdTenant !== tenantId.toLowerCase() && openIdTenant !== state.tenantDomain.toLowerCase()) {
        // What login.microsoftonline.com answers for an unknown tenant.
        send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${openIdTenant}' not found.` });
        return;
      }
      if (req.method === 'GET' && openIdPath) {
        send(res, 200, {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${state.urls.graphOrigin}/common/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/devicecode`) {
        const deviceCode = `dc.${randomUUID()}`;
        const userCode = randomBytes(4).toString('hex').toUpperCase();
        // The sandbox may play the operator's browser step itself (approve at once as the demo account).
        state.deviceCodes.set(deviceCode, {
          userCode,
          clientId: form.get('client_id') ?? '',
          redeemed: false,
          approvedUserId: state.options.autoApproveDeviceCodesAs,
        });
        const autoApproved = state.options.autoApproveDeviceCodesAs ? ' (the sandbox approves it by itself)' : '';
        send(res, 200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${loginBaseUrl}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${loginBaseUrl}/devicelogin and enter the code ${userCode} to authenticate.${autoApproved}`,
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
        answerToken(state, form, res);
        return;
      }
      send(res, 404, { error: 'not_found' });
    })().catch((error: unknown) => send(res, 500, { error: String(error) }));
  };
}

/** The token endpoint: client credentials, device code and refresh token grants, with Entra's error codes. */
function answerToken(state: MicrosoftState, form: URLSearchParams, res: http.ServerResponse): void {
  const { clientId, clientSecret } = state;
  const grant = form.get('grant_type');
  if (form.get('client_id') !== clientId) {
    send(res, 400, { error: 'unauthorized_client', error_description: 'AADSTS700016: application not found' });
    return;
  }
  if (grant === 'client_credentials') {
    if (form.get('client_secret') !== clientSecret) {
      send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      return;
    }
    const accessToken = `app.${randomUUID()}`;
    state.accessTokens.set(accessToken, { kind: 'app' });
    send(res, 200, { token_type: 'Bearer', expires_in: state.tokenLifetime, ext_expires_in: state.tokenLifetime, access_token: accessToken });
    return;
  }
  if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
    const code = state.deviceCodes.get(form.get('device_code') ?? '');
    if (!code || code.redeemed) {
      send(res, 400, { error: 'expired_token', error_description: 'AADSTS70020: The provided value for the input parameter device_code is not valid.' });
      return;
    }
    if (!code.approvedUserId) {
      send(res, 400, { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.' });
      return;
    }
    code.redeemed = true;
    send(res, 200, state.issueUserTokens(code.approvedUserId, form.get('scope') ?? ''));
    return;
  }
  if (grant === 'refresh_token') {
    const userId = state.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!userId) {
      send(res, 400, {
        error: 'invalid_grant',
        error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.',
        error_codes: [50173],
      });
      return;
    }
    send(res, 200, state.issueUserTokens(userId, form.get('scope') ?? ''));
    return;
  }
  send(res, 400, { error: 'unsupported_grant_type', error_description: `grant ${grant}` });
}
