/**
 * Parses a webhook body as JSON after strict UTF-8 decoding: invalid bytes are malformed input (400),
 * not replacement characters. Called only after verification, which works on the raw bytes.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ParsedBody = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly reason: string };

export function parseJsonBody(body: Buffer): ParsedBody {
  try {
    return { ok: true, json: JSON.parse(utf8.decode(body)) };
  } catch (error) {
    return { ok: false, reason: `body is not valid UTF-8 JSON: ${(error as Error).message}` };
  }
}
