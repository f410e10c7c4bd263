/**
 * The one `Retry-After` parser of every outbound client (Genesys, Zoom, RingCentral, Microsoft Graph):
 * delay seconds or an HTTP date (RFC 9110 §10.2.3, https://www.rfc-editor.org/rfc/rfc9110#field.retry-after),
 * in ms from `nowMs`; undefined when absent or unreadable.
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
