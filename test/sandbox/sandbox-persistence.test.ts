import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGenesysSandbox } from '../../src/sandbox';
import { loginTo, systemDefinitionId } from './sandbox-test-helpers';

describe('sandbox state file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'genesys-sandbox-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps users, sources, definition ids and presences across a restart', async () => {
    const stateFile = path.join(dir, 'genesys-sandbox.json');
    const first = await startGenesysSandbox({ stateFile, seedDemoUsers: true });
    const api = await loginTo(first);
    const source = (await api('POST', '/api/v2/presence/sources', { name: 'Zoom' })).body.id as string;
    const alice = first.listUsers().find((u) => u.email === 'alice@example.com')!.id;
    const secondary = first.addSecondaryPresence('Busy', 'Focus time');
    await api('PATCH', `/api/v2/users/${alice}/presences/${source}`, { presenceDefinition: { id: secondary.id }, message: 'Focusing' });
    const definitions = first.definitions();
    const users = first.listUsers();
    await first.close();

    const second = await startGenesysSandbox({ stateFile, seedDemoUsers: true });
    try {
      expect(second.listUsers()).toEqual(users);
      expect(second.definitions()).toEqual(definitions);
      expect(second.listSources().find((s) => s.id === source)).toMatchObject({ name: 'Zoom', type: 'User' });
      expect(second.getPresence(alice, source)).toMatchObject({ definitionId: secondary.id, message: 'Focusing' });
    } finally {
      await second.close();
    }
  });

  it('saves changes while running, not only on close', async () => {
    const stateFile = path.join(dir, 'state.json');
    const sandbox = await startGenesysSandbox({ stateFile });
    try {
      sandbox.addUser({ email: 'zoe@example.com' });
      await new Promise((resolve) => setTimeout(resolve, 400));

      const copy = await startGenesysSandbox({ stateFile });
      await copy.close();
      expect(copy.listUsers().map((u) => u.email)).toEqual(['zoe@example.com']);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses to start from a malformed state file', async () => {
    const stateFile = path.join(dir, 'broken.json');
    await writeFile(stateFile, '{"version":1,"users":"nope"}');

    await expect(startGenesysSandbox({ stateFile })).rejects.toThrow(/unexpected shape/);
  });

  it('starts fresh when the state file does not exist yet', async () => {
    const sandbox = await startGenesysSandbox({ stateFile: path.join(dir, 'nested', 'new.json') });
    try {
      expect(systemDefinitionId(sandbox, 'Available')).toEqual(expect.any(String));
    } finally {
      await sandbox.close();
    }
  });
});
