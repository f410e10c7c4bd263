/**
 * The Microsoft sandbox with a state file (npm start's): presence, sequence numbers and subscriptions
 * survive a restart, sequence numbers keep moving forward, and a damaged file is refused with the fix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoDirectory, demoObjectId } from '../../../src/sandbox/microsoft/demo-directory';
import { startMicrosoftSandbox } from '../../../src/sandbox/microsoft/start-microsoft-sandbox';

const ALICE = demoObjectId('alice@example.com');

describe('Microsoft sandbox state file', () => {
  let dir: string;
  let stateFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-sandbox-state-'));
    stateFile = path.join(dir, 'microsoft-sandbox', 'state.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps presence, sequence numbers and subscriptions across a restart', async () => {
    const first = await startMicrosoftSandbox({ users: demoDirectory(), stateFile });
    const before = await first.changePresence(ALICE, 'Busy', 'InACall');
    first.subscriptions.set('sub-1', {
      id: 'sub-1',
      ownerUserId: ALICE,
      userIds: [ALICE],
      resource: `/communications/presences?$filter=id in ('${ALICE}')`,
      notificationUrl: 'http://127.0.0.1:9/webhooks/teams',
      includeResourceData: false,
      expirationDateTime: new Date(Date.now() + 50 * 60_000).toISOString(),
    });
    first.setPresence(demoObjectId('bob@example.com'), 'Away', 'Away');
    await first.close();
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await startMicrosoftSandbox({ users: demoDirectory(), stateFile });
    try {
      // The same login port: MSAL files cached tokens under the authority's host and port.
      expect(second.loginBaseUrl).toBe(first.loginBaseUrl);
      expect(second.users.get(ALICE)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      expect(second.sequenceOf(ALICE)).toBe(before.sequenceNumber);
      expect(second.subscriptions.get('sub-1')?.userIds).toEqual([ALICE]);
      second.setPresence(ALICE, 'Available', 'Available');
      // Later than anything the bridge has seen, or it would drop the notification as old.
      expect(second.sequenceOf(ALICE) > second.sequenceOf(demoObjectId('bob@example.com'))).toBe(true);
      expect(second.sequenceOf(ALICE) > before.sequenceNumber).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('keeps nothing without a state file', async () => {
    const first = await startMicrosoftSandbox({ users: demoDirectory() });
    await first.changePresence(ALICE, 'Busy', 'InACall');
    await first.close();
    const second = await startMicrosoftSandbox({ users: demoDirectory() });
    expect(second.users.get(ALICE)).toMatchObject({ availability: 'Available' });
    await second.close();
  });

  it('refuses a damaged state file, saying how to start afresh', async () => {
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    fs.writeFileSync(stateFile, JSON.stringify({ version: 1, presence: {}, subscriptions: 'none' }));
    await expect(startMicrosoftSandbox({ users: demoDirectory(), stateFile })).rejects.toThrow(
      /^microsoft sandbox: state file .* has an unexpected shape \(.*subscriptions: .*\); delete it to start afresh$/,
    );
  });
});
