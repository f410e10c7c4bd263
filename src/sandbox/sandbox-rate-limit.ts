/**
 * Per-token request limit over a sliding 60-second window. Genesys documents 300 requests per
 * client-credentials token per minute (`client.credentials.token.rate.per.minute`,
 * docs/vendors.md#genesys-rate-limits) and says clients must use `Retry-After` on a 429 (the inin-ratelimit-*
 * headers were removed).
 */

const WINDOW_MS = 60_000;

/** Outcome of admitting one request. */
export type RateDecision = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** Sliding-window limiter keyed by bearer token. */
export class SandboxRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly limitPerMinute: number) {}

  /**
   * Admits a request at `now` or says how long until the window frees a slot. Only admitted
   * requests count, so a client that keeps hammering is not punished forever — the sandbox's
   * choice; how Genesys counts rejected requests is not documented.
   */
  admit(token: string, now: number): RateDecision {
    const window = (this.windows.get(token) ?? []).filter((at) => at > now - WINDOW_MS);
    if (window.length >= this.limitPerMinute) {
      this.windows.set(token, window);
      const oldest = window[0] ?? now;
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    window.push(now);
    this.windows.set(token, window);
    return { admitted: true };
  }

  /** Forgets every window. */
  clear(): void {
    this.windows.clear();
  }
}
