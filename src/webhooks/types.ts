/**
 * Transport-neutral webhook types: adapters (express, Lambda) convert to InboundRequest and from
 * OutboundResponse; everything between is plain functions, so one core serves every runtime
 * (docs/architecture.md).
 */
import type { PresenceEvent } from '../presence';
import type { QueueMessage } from '../queue/key-queue';
import type { SystemName } from '../systems';
import type { RejectionReason } from './rejection-reason';

export interface InboundRequest {
  readonly method: string;
  /** Path without query string, e.g. `/webhooks/zoom`. */
  readonly path: string;
  /** Decoded query parameters (first value of each). */
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes received: verification is computed over these, never over re-serialized JSON. */
  readonly body: Buffer;
  /** Epoch ms when the request arrived (injected clock). */
  readonly receivedAt: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a source makes of one request. `accepted` carries the events to record (desired state) and any
 * follow-up tasks to enqueue; `ackStatus` is the 2xx the vendor expects (Graph: 202).
 */
export type WebhookOutcome =
  | { readonly kind: 'handshake'; readonly response: OutboundResponse }
  | {
      readonly kind: 'accepted';
      readonly events: readonly PresenceEvent[];
      readonly tasks?: readonly QueueMessage[];
      readonly ackStatus?: number;
      /** Items of the request that failed verification and were dropped (the rest was accepted). */
      readonly dropped?: number;
    }
  | { readonly kind: 'ignored'; readonly reason: string; readonly ackStatus?: number; readonly dropped?: number }
  | {
      readonly kind: 'rejected';
      readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 503;
      readonly reason: string;
      /** The class counted in the `EventsRejected` metric when the status alone does not tell it (rejection-reason.ts). */
      readonly reasonClass?: RejectionReason;
    };

/** One external system's webhook endpoint: verify, answer handshakes, normalize. No I/O beyond the clock. */
export interface WebhookSource {
  readonly system: SystemName;
  /** Route path handled, e.g. `/webhooks/zoom`. */
  readonly path: string;
  handle(request: InboundRequest): Promise<WebhookOutcome> | WebhookOutcome;
}
