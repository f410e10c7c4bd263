/**
 * A `user.presence_status_updated` notification built and signed exactly as Zoom would send it, for
 * `presence-bridge simulate zoom` and for tests. Signed with the production signer (verify.ts).
 */
import crypto from 'node:crypto';
import axios from 'axios';
import { BridgeError, InvalidInputError } from '../../errors';
import { ZOOM_PRESENCE_EVENT } from './schema';
import { signZoomRequest } from './verify';
import { ZOOM_WEBHOOK_PATH } from './webhook';

export interface SimulatedZoomEventInput {
  /** The Zoom Secret Token the bridge verifies with. */
  readonly secret: string;
  readonly email: string;
  /** A Zoom `presence_status`, e.g. `In_Meeting` (unknown values are sent as given). */
  readonly status: string;
  /** Zoom user id; default derived from the email, so repeated simulations hit the same state key. */
  readonly userId?: string;
  /** Epoch ms; default now. */
  readonly now?: number;
  /**
   * `payload.account_id`; default `simulated`. The CLI passes the first ZOOM_ACCOUNT_ID, so the event passes a
   * bridge that checks accounts against that list.
   */
  readonly accountId?: string;
}

export interface SimulatedZoomEvent {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** A stable, Zoom-looking user id for an email (22 base64url characters, like Zoom's). */
export function simulatedZoomUserId(email: string): string {
  return crypto.createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 22);
}

/** Builds and signs a presence notification shaped like Zoom's documented example. */
export function buildSimulatedZoomEvent(input: SimulatedZoomEventInput): SimulatedZoomEvent {
  const email = input.email.trim();
  const status = input.status.trim();
  if (!email) throw new InvalidInputError('simulate zoom: --email is required');
  if (!status) throw new InvalidInputError('simulate zoom: --status is required');
  if (!input.secret) throw new InvalidInputError('simulate zoom: a Zoom Secret Token is needed to sign the event');
  const nowMs = input.now ?? Date.now();
  const payload = {
    event: ZOOM_PRESENCE_EVENT,
    event_ts: nowMs,
    payload: {
      account_id: input.accountId?.trim() || 'simulated',
      object: {
        // Zoom sends whole seconds: "2019-11-26T20:13:57Z".
        date_time: new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
        email,
        id: input.userId?.trim() || simulatedZoomUserId(email),
        presence_status: status,
      },
    },
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'presence-bridge simulate (Zoom Marketplace/1.0a)',
      'x-zm-trackingid': `simulated-${crypto.randomUUID()}`,
      ...signZoomRequest(input.secret, body, Math.floor(nowMs / 1000)),
    },
  };
}

/**
 * The Zoom webhook URL for a `--url`: a bare base URL (`http://127.0.0.1:3000`) gets `/webhooks/zoom`
 * appended; a URL with a path is used as given.
 */
export function resolveZoomWebhookUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // `localhost:3000` parses as a URL with scheme "localhost:", so the scheme is checked too.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new InvalidInputError(`--url must be an absolute http(s) URL such as http://127.0.0.1:3000, got "${url}"`);
  }
  if (parsed.pathname === '' || parsed.pathname === '/') parsed.pathname = ZOOM_WEBHOOK_PATH;
  return parsed.toString();
}

/** Posts a simulated notification; resolves with the bridge's answer (any status). */
export async function sendSimulatedZoomEvent(
  input: SimulatedZoomEventInput & { readonly url: string; readonly timeoutMs?: number },
): Promise<{ status: number; body: string }> {
  const { body, headers } = buildSimulatedZoomEvent(input);
  const url = resolveZoomWebhookUrl(input.url);
  const response = await axios
    .post(url, body, {
      headers: { ...headers },
      timeout: input.timeoutMs ?? 10_000,
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    })
    .catch((error: unknown) => {
      // Nothing listening is the newcomer's usual mistake (the bridge is stopped, or runs on another PORT).
      if ((error as { code?: string }).code !== 'ECONNREFUSED') throw error;
      throw new BridgeError(`no bridge is listening at ${new URL(url).origin}: start it with \`npm start\` (same BRIDGE_DATA_DIR), or pass --url`);
    });
  return { status: response.status, body: typeof response.data === 'string' ? response.data : '' };
}
