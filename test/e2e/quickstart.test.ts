/**
 * The README's quick start, run exactly as written (test/helpers/readme-quickstart.ts reads it): `npm start`
 * with no configuration, then each source's commands in a second "terminal", each `status` until it prints
 * what the README shows. Real processes, real HTTP(S), the three built-in sandboxes, a fresh data directory.
 * Only `npm ci` is not run again (the suite runs after it), and the port is a free one instead of 3000 (the
 * CLI finds the running bridge through BRIDGE_DATA_DIR, as it does on a newcomer's machine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCliProcess, type CliResult } from '../helpers/cli-process';
import { tempDataDir, waitFor } from '../helpers/local-bridge';
import { normalizeOutput, quickStartSection, quickStartSteps } from '../helpers/readme-quickstart';
import { childEnv, startBridgeProcess, stopBridgeProcess, type BridgeProcess } from '../reliability/bridge-process';

const root = path.join(__dirname, '../..');
const CLI_PREFIX = 'npx presence-bridge ';

const section = quickStartSection();
const [start, ...tries] = quickStartSteps(section);

describe('README quick start, command by command', () => {
  let bridge: BridgeProcess;
  let dataDir: string;

  function cli(command: string): Promise<CliResult> {
    expect(command.startsWith(CLI_PREFIX)).toBe(true);
    return runCliProcess(command.slice(CLI_PREFIX.length).split(/\s+/), childEnv({ BRIDGE_DATA_DIR: dataDir }));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines are read field by field
  const logLines = (): Array<Record<string, any>> => bridge.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));

  beforeAll(async () => {
    expect(start.commands).toEqual(['npm ci && npm start']);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start).toBe('node bin/start.js');
    dataDir = tempDataDir();
    bridge = await startBridgeProcess({ BRIDGE_DATA_DIR: dataDir });
    // The README says to wait for this line before the second terminal.
    expect(section).toContain('"message":"maintenance done"');
    await waitFor(() => logLines().some((line) => line.message === 'maintenance done'), 30_000, 'the "maintenance done" log line');
  }, 60_000);

  afterAll(async () => {
    if (bridge) await stopBridgeProcess(bridge, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs the sandboxes it uses, as the README says', () => {
    const messages = logLines().map((line) => String(line.message));
    expect(section).toContain('no Genesys credentials set: using the built-in\nGenesys Cloud sandbox');
    expect(messages).toContain('no Genesys credentials set: using the built-in Genesys Cloud sandbox');
    expect(messages.some((m) => m.startsWith('no Teams credentials set: using the built-in Microsoft sandbox'))).toBe(true);
    expect(messages).toContain('no RingCentral credentials set: using the built-in RingCentral sandbox');
  });

  it('covers all three sources', () => {
    expect(tries.map((step) => step.heading)).toEqual(['Zoom', 'Microsoft Teams', 'RingCentral']);
    for (const step of tries) expect(step.expectedOutput).toBeDefined();
  });

  it.each(tries.map((step) => [step.heading, step] as const))(
    '%s: runs the commands and status prints what the README shows',
    async (_heading, step) => {
      const last = step.commands[step.commands.length - 1];
      for (const command of step.commands.slice(0, -1)) {
        const result = await cli(command);
        if (result.code !== 0) throw new Error(`\`${command}\` exited ${result.code}:\n${result.stdout}${result.stderr}`);
      }
      // The worker writes asynchronously (spaced by the Genesys budget): look again until it is there.
      let printed: CliResult = { code: -1, stdout: '', stderr: '' };
      const expected = normalizeOutput(step.expectedOutput!);
      await waitFor(
        async () => {
          printed = await cli(last);
          return printed.code === 0 && normalizeOutput(printed.stdout) === expected;
        },
        30_000,
        `\`${last}\` to print the README's output`,
      ).catch(() => undefined);
      expect(normalizeOutput(printed.stdout)).toBe(expected);
    },
    60_000,
  );

  it('exits cleanly on SIGTERM, having logged one JSON object per line', async () => {
    expect(await stopBridgeProcess(bridge, 'SIGTERM')).toEqual({ code: 0, signal: null });
    const stdoutLines = bridge.output.filter((line) => line.startsWith('{'));
    expect(stdoutLines.length).toBeGreaterThan(5);
    for (const line of stdoutLines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
