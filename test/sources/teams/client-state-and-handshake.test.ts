import { matchesClientState } from '../../../src/sources/teams/client-state';
import { createTeamsLifecycleWebhookSource, createTeamsWebhookSource } from '../../../src/sources/teams/webhook';
import { inbound } from './support';

describe('matchesClientState', () => {
  test.each([
    ['current', ['current'], true],
    ['old', ['current', 'old'], true],
    ['Current', ['current'], false],
    ['curren', ['current'], false],
    ['', ['current'], false],
    [undefined, ['current'], false],
    [null, ['current'], false],
    ['current', [], false],
  ])('%j against %j → %s', (received, configured, expected) => {
    expect(matchesClientState(received, configured)).toBe(expected);
  });
});

describe('validationToken handshake', () => {
  // Graph's tokens can be prose (microsoftgraph/microsoft-graph-docs#21160).
  const prose = 'Validation: Testing client application reachability for subscription Request-Id: 877cb92e-cb4c-4a4e-8a6b-e5b3f1c0d6a1';

  test.each([
    ['/webhooks/teams', createTeamsWebhookSource],
    ['/webhooks/teams/lifecycle', createTeamsLifecycleWebhookSource],
  ])('%s echoes the decoded token exactly as text/plain 200, even without TEAMS_CLIENT_STATE', async (path, create) => {
    const source = create({ clientStates: [], isKnownSubscription: () => false });
    const outcome = await source.handle(inbound(path, '', { query: { validationToken: prose } }));
    expect(outcome).toEqual({
      kind: 'handshake',
      response: { status: 200, headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8' }), body: prose },
    });
  });

  test('notifications are refused with 503 while TEAMS_CLIENT_STATE is unset', async () => {
    const source = createTeamsWebhookSource({ clientStates: [], isKnownSubscription: () => true });
    const outcome = await source.handle(inbound('/webhooks/teams', { value: [] }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
  });
});
