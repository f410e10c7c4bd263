/**
 * `Retry-After` as delay seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `nowMs`; undefined when
 * absent or unreadable. Shared by the Genesys, Zoom and RingCentral clients.
 */
export function parseRetryAfter(header: string | readonly string[] | undefined | null, nowMs: number): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // Only an HTTP date may follow; Date.parse would also accept "-5" or "1e3", so require a letter.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
