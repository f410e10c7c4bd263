import { Command } from 'commander';
import { registerGenesysCommands, formatTable, mappingTargets } from '../../src/cli/genesys-commands';
import { DEFAULT_PRESENCE_MAPPING } from '../../src/presence';
import { DEFAULT_SOURCE_NAMES, startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

describe('genesys CLI commands (against the sandbox)', () => {
  let setup: SandboxClientSetup;
  let out: string;
  let err: string;
  let exitCode: number | undefined;

  beforeEach(async () => {
    setup = await startSandboxClient();
    out = '';
    err = '';
    exitCode = undefined;
  });
  afterEach(async () => {
    expect(setup.sandbox.violations).toEqual([]);
    await setup.close();
  });

  async function run(...args: string[]): Promise<void> {
    const program = new Command().exitOverride();
    registerGenesysCommands(program, async () => setup.client, DEFAULT_SOURCE_NAMES, {
      io: {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: (text: string) => (err += text) },
        setExitCode: (code) => (exitCode = code),
      },
    });
    await program.parseAsync(['node', 'presence-bridge', ...args]);
  }

  it('sources ensure prints one line per system with the custom source id', async () => {
    await run('sources', 'ensure');

    const custom = setup.sandbox.listSources().filter((s) => s.type === 'User');
    expect(custom).toHaveLength(3);
    for (const source of custom) expect(out).toContain(source.id);
    expect(out.split('\n')[0]).toMatch(/^system\s+name\s+id$/);
  });

  it('sources list shows name, id, state and type, and says what is missing', async () => {
    await run('sources', 'list');

    expect(out.split('\n')[0]).toMatch(/^name\s+id\s+state\s+type$/);
    expect(out).toMatch(/Microsoft Teams\s+\S+\s+active\s+System/);
    expect(err).toMatch(/sources ensure/);

    out = '';
    err = '';
    await run('sources', 'ensure');
    out = '';
    await run('sources', 'list');
    expect(out).toMatch(/Zoom\s+\S+\s+active\s+User/);
    expect(err).toBe('');
  });

  it('definitions list resolves each default mapping target', async () => {
    await run('definitions', 'list');

    for (const target of ['Available', 'Away', 'Busy', 'Meeting', 'Offline']) {
      const id = setup.sandbox.definitions().find((d) => d.type === 'System' && d.systemPresence === target)!.id;
      expect(out).toMatch(new RegExp(`^${target}\\s+${id}`, 'm'));
    }
    expect(out).toContain('All active presence definitions');
    expect(exitCode).toBeUndefined();
  });

  it('definitions list fails when a target does not resolve', async () => {
    const program = new Command().exitOverride();
    registerGenesysCommands(program, async () => setup.client, DEFAULT_SOURCE_NAMES, {
      mapping: { ...DEFAULT_PRESENCE_MAPPING, zoom: [{ field: 'presence_status', rules: { x: { target: 'Gardening' } } }] },
      io: {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: (text: string) => (err += text) },
        setExitCode: (code) => (exitCode = code),
      },
    });
    await program.parseAsync(['node', 'presence-bridge', 'definitions', 'list']);

    expect(out).toMatch(/Gardening\s+NOT FOUND/);
    expect(err).toMatch(/Gardening/);
    expect(exitCode).toBe(1);
  });
});

describe('CLI helpers', () => {
  it('lists the default mapping targets', () => {
    expect(mappingTargets(DEFAULT_PRESENCE_MAPPING).sort()).toEqual(['Available', 'Away', 'Busy', 'Meeting', 'Offline']);
  });

  it('pads table columns', () => {
    expect(formatTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\nxxx  y\n');
  });
});
