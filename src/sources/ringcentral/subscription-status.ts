/**
 * The RingCentral subscription health an operator can read without calling RingCentral: what the last
 * `ensureRingCentralSubscription` run (the maintainer, or `presence-bridge ringcentral subscriptions
 * --ensure`) left in the document `ringcentral-subscriptions`. The verification-token hashes it also
 * holds are left out: they are of no use to an operator.
 */
import type { DocumentStore } from '../../store/state-store';
import { RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, type RingCentralSubscriptionsDocument } from './subscriptions';

export interface RingCentralSubscriptionStatus {
  /** `account`: one account-wide presence filter; `extension`: per-extension filters. */
  readonly scope: 'account' | 'extension';
  /** The bridge's live subscription ids after the last run. */
  readonly subscriptionIds: readonly string[];
  /** The webhook address the subscriptions deliver to. */
  readonly address: string;
  /** When the last run finished: subscriptions were checked, renewed or re-created then. */
  readonly checkedAt: string;
  /** Why the account-wide filter is not in use, when RingCentral refused it. */
  readonly accountScopeRefusal?: string;
}

/** Undefined when no run has completed yet (no credentials, no BRIDGE_PUBLIC_URL, or not run yet). */
export async function readRingCentralSubscriptionStatus(documents: DocumentStore): Promise<RingCentralSubscriptionStatus | undefined> {
  const document = (await documents.getDocument<RingCentralSubscriptionsDocument>(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT))?.value;
  if (!document) return undefined;
  return {
    scope: document.scope,
    subscriptionIds: Array.isArray(document.ids) ? document.ids : [],
    address: document.address,
    checkedAt: document.updatedAt,
    ...(document.accountScopeRefusal ? { accountScopeRefusal: document.accountScopeRefusal } : {}),
  };
}
