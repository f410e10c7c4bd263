/**
 * RingCentral's webhook validation request: on subscription create it POSTs to the address with a
 * `Validation-Token` header and no body, and expects 200 echoing the header within 3 s
 * (https://developers.ringcentral.com/guide/notifications/webhooks/creating-webhooks). The raw response is
 * measured so callers can also check its size.
 */
import net from 'node:net';

export interface HandshakeProbe {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Size of the whole response: status line, headers and body. */
  readonly totalBytes: number;
}

/** Sends the validation request (`Connection: close` so the response ends with the socket). */
export async function probeRingCentralHandshake(address: string, validationToken: string): Promise<HandshakeProbe> {
  const url = new URL(address);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(Number(url.port || (url.protocol === 'https:' ? 443 : 80)), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('handshake took longer than 3000 ms')));
    socket.write(
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: RingCentral-Webhook/8.3\r\n` +
        `Validation-Token: ${validationToken}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
  const text = raw.toString('latin1');
  const [head] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, totalBytes: raw.length };
}

/** True when the address answered the handshake as RingCentral requires (200, echoed token, JSON, small). */
export function isHandshakeAccepted(probe: HandshakeProbe | undefined, token: string): boolean {
  return (
    probe !== undefined &&
    probe.status === 200 &&
    probe.headers['validation-token'] === token &&
    (probe.headers['content-type'] ?? '').startsWith('application/json') &&
    probe.totalBytes <= 1024
  );
}
