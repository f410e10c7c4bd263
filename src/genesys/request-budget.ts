/**
 * The Genesys request budget (docs/architecture.md: the budget holds): at most GENESYS_REQUESTS_PER_MINUTE
 * requests in any 60-second window, across every worker. Enforced before sending, not discovered by 429s.
 * Implementations: the in-process one (`local-budget.ts`) and the DynamoDB-shared one
 * (`../store/dynamodb-budget.ts`) used by concurrent Lambda workers.
 */
export interface RequestBudget {
  /** Reserves one request slot; resolves with the epoch ms at which the caller may send (≥ now). */
  reserve(): Promise<number>;
  /** No slot is handed out before `epochMs` (a Retry-After seen by any caller pauses everyone). */
  holdUntil(epochMs: number): Promise<void>;
}
