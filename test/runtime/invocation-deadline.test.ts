import { CLAIM_LEASE_MARGIN_MS, claimLeaseFor, createInvocationDeadline, FINISH_RESERVE_MS } from '../../src/runtime/invocation-deadline';

describe('invocation deadline', () => {
  let clock = 1_000_000;
  const now = () => clock;

  it('is the remaining time minus the finish reserve, and gone after the invocation', () => {
    const deadline = createInvocationDeadline(now);
    expect(deadline.get()).toBeUndefined();

    deadline.start({ getRemainingTimeInMillis: () => 60_000 });
    expect(deadline.get()).toBe(clock + 60_000 - FINISH_RESERVE_MS);

    deadline.clear();
    expect(deadline.get()).toBeUndefined();
  });

  it('has no deadline without a context', () => {
    const deadline = createInvocationDeadline(now);
    deadline.start(undefined);
    expect(deadline.get()).toBeUndefined();
  });

  it('leases a claim until the deadline plus a margin, or leaves the default outside an invocation', () => {
    const deadline = createInvocationDeadline(now);
    expect(claimLeaseFor(deadline, now)).toBeUndefined();

    deadline.start({ getRemainingTimeInMillis: () => 60_000 });
    clock += 10_000;
    expect(claimLeaseFor(deadline, now)).toBe(60_000 - FINISH_RESERVE_MS - 10_000 + CLAIM_LEASE_MARGIN_MS);
  });
});
