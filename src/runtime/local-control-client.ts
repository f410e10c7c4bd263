/**
 * The CLI's side of the local control routes (src/runtime/local-control.ts): calls the running
 * `npm start` on loopback with the token from the runtime file, and reads the JSON-lines stream.
 */
import { BridgeError } from '../errors';
import { LOCAL_TEAMS_LOGIN_PATH, type LocalLoginEvent } from './local-control';
import type { LocalRuntimeInfo } from './local-runtime';

/** Runs `teams login` inside the running bridge; calls `onEvent` for each streamed event. */
export async function loginThroughLocalBridge(
  runtime: Pick<LocalRuntimeInfo, 'port' | 'controlToken'>,
  request: { readonly account: string; readonly timeoutSeconds: number },
  onEvent: (event: LocalLoginEvent) => void,
): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${runtime.port}${LOCAL_TEAMS_LOGIN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime.controlToken ?? ''}` },
    body: JSON.stringify(request),
  }).catch((error: unknown) => {
    throw new BridgeError(`cannot reach the running bridge on port ${runtime.port} (is npm start still running?): ${(error as Error).message}`, {
      cause: error,
    });
  });
  if (!response.ok || !response.body) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: show it as it is
    }
    throw new BridgeError(`the running bridge refused the sign-in (HTTP ${response.status}): ${message}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) onEvent(JSON.parse(line) as LocalLoginEvent);
      newline = buffered.indexOf('\n');
    }
  }
  if (buffered.trim()) onEvent(JSON.parse(buffered) as LocalLoginEvent);
}
