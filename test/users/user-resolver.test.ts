/**
 * Which Genesys user an external user is, and which email the match was made with: the worker remembers
 * that email, so a RingCentral extension (whose events carry no email) is shown by email in `status`.
 */
import { NO_OVERRIDES } from '../../src/users/user-mapping-file';
import { createUserResolver } from '../../src/users/user-resolver';

const GENESYS_IDS: Record<string, string> = { 'bob@example.com': 'genesys-bob' };
const lookup = { find: async (email: string) => GENESYS_IDS[email.toLowerCase()] };
const ringCentralDirectory = async (key: { externalUserId: string }) => ({ '102': 'Bob@Example.com', '103': 'zed@example.com' })[key.externalUserId];

describe('createUserResolver', () => {
  const resolve = createUserResolver({ overrides: NO_OVERRIDES, lookup, directories: { ringcentral: ringCentralDirectory } });

  it('matches through the directory and says which email it used', async () => {
    expect(await resolve({ system: 'ringcentral', externalUserId: '102' })).toEqual({
      kind: 'matched',
      genesysUserId: 'genesys-bob',
      email: 'Bob@Example.com',
    });
  });

  it('keeps the email of an unmatched user, so the operator sees who it is', async () => {
    expect(await resolve({ system: 'ringcentral', externalUserId: '103' })).toMatchObject({ kind: 'unmatched', email: 'zed@example.com' });
  });

  it('prefers the email the event carried over the directory', async () => {
    expect(await resolve({ system: 'ringcentral', externalUserId: '103' }, 'bob@example.com')).toEqual({
      kind: 'matched',
      genesysUserId: 'genesys-bob',
      email: 'bob@example.com',
    });
  });

  it('reports no email when none is known', async () => {
    const match = await resolve({ system: 'ringcentral', externalUserId: '999' });
    expect(match).toMatchObject({ kind: 'unmatched', reason: expect.stringContaining('no email known for ringcentral user 999') });
    expect(match.email).toBeUndefined();
  });
});
