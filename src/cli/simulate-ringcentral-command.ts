/**
 * `presence-bridge simulate ringcentral --email bob@example.com --dnd DoNotAcceptAnyCalls`: asks the
 * RingCentral sandbox of the running bridge to change a user's presence; the sandbox delivers the
 * notification to the bridge as RingCentral would, and this prints what happened (docs/ringcentral.md,
 * "Trying RingCentral offline"). Only parsing and printing live here; cli.ts says where the sandbox is.
 */
import type { Command } from 'commander';
import type { RingCentralPresenceChangeResult } from '../sandbox/ringcentral';
import {
  RINGCENTRAL_DND_STATUSES,
  RINGCENTRAL_PRESENCE_STATUSES,
  RINGCENTRAL_TELEPHONY_STATUSES,
  RINGCENTRAL_USER_STATUSES,
} from '../sandbox/ringcentral/ringcentral-presence-change';
import { subcommand } from './zoom-commands';

export interface SimulateRingCentralIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly setExitCode: (code: number) => void;
}

export interface SimulateRingCentralDeps {
  /** The sandbox's admin URL, or why there is none to use (no running bridge, real credentials, …). */
  readonly target: () => { readonly adminUrl: string } | { readonly problem: string };
  readonly io?: Partial<SimulateRingCentralIo>;
}

interface Options {
  email: string;
  dnd?: string;
  telephony?: string;
  presenceStatus?: string;
  userStatus?: string;
}

const ENUMS = [
  ['dnd', '--dnd', RINGCENTRAL_DND_STATUSES],
  ['telephony', '--telephony', RINGCENTRAL_TELEPHONY_STATUSES],
  ['presenceStatus', '--presence-status', RINGCENTRAL_PRESENCE_STATUSES],
  ['userStatus', '--user-status', RINGCENTRAL_USER_STATUSES],
] as const;

/** Problems with the options (unknown enum values, nothing to change), each naming the allowed values. */
export function checkSimulateRingCentralOptions(options: Options): string[] {
  const problems: string[] = [];
  for (const [key, flag, allowed] of ENUMS) {
    const value = options[key];
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      problems.push(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
    }
  }
  if (ENUMS.every(([key]) => options[key] === undefined)) {
    problems.push('give at least one of --dnd, --telephony, --presence-status, --user-status');
  }
  return problems;
}

/** The lines printed for a sandbox answer, and whether the bridge took every delivery. */
export function describeRingCentralSimulation(result: RingCentralPresenceChangeResult): { lines: string[]; ok: boolean } {
  const p = result.presence;
  const lines = [
    `RingCentral sandbox: ${result.email} (extension ${result.extensionId}) is now ` +
      `dndStatus=${String(p.dndStatus)} telephonyStatus=${String(p.telephonyStatus)} presenceStatus=${String(p.presenceStatus)} userStatus=${String(p.userStatus)}`,
  ];
  if (result.deliveries.length === 0) {
    lines.push(
      'not delivered: no RingCentral subscription covers this user yet. The bridge creates it in its startup ' +
        'maintenance run; wait a few seconds and run this again (its log says "ringcentral-subscription").',
    );
    return { lines, ok: false };
  }
  let ok = true;
  for (const delivery of result.deliveries) {
    const accepted = delivery.status >= 200 && delivery.status < 300;
    ok &&= accepted;
    const answer = delivery.status === 0 ? 'no answer (is the bridge running?)' : `HTTP ${delivery.status}`;
    lines.push(`delivered to ${delivery.address} (subscription ${delivery.subscriptionId}, uuid ${delivery.uuid}): ${answer}`);
  }
  if (ok) lines.push('run `presence-bridge status --system ringcentral` to see it applied');
  return { lines, ok };
}

/** Adds `simulate ringcentral` to the program (sharing `simulate` with the other sources). */
export function registerSimulateRingCentralCommand(program: Command, deps: SimulateRingCentralDeps): void {
  const io: SimulateRingCentralIo = {
    stdout: deps.io?.stdout ?? process.stdout,
    stderr: deps.io?.stderr ?? process.stderr,
    setExitCode:
      deps.io?.setExitCode ??
      ((code) => {
        process.exitCode = code;
      }),
  };
  subcommand(program, 'simulate', 'send a signed simulated event to a running bridge')
    .command('ringcentral')
    .description("change a user's presence in the RingCentral sandbox, which delivers the notification to the bridge")
    .requiredOption('--email <email>', 'the user whose presence changes (a sandbox extension: alice, bob, carol, dave, erin @example.com)')
    .option('--dnd <status>', `dndStatus: ${RINGCENTRAL_DND_STATUSES.join(', ')}`)
    .option('--telephony <status>', `telephonyStatus: ${RINGCENTRAL_TELEPHONY_STATUSES.join(', ')}`)
    .option('--presence-status <status>', `presenceStatus: ${RINGCENTRAL_PRESENCE_STATUSES.join(', ')}`)
    .option('--user-status <status>', `userStatus: ${RINGCENTRAL_USER_STATUSES.join(', ')}`)
    .action(async (options: Options) => {
      const problems = checkSimulateRingCentralOptions(options);
      if (problems.length > 0) {
        io.stderr.write(problems.map((p) => `simulate ringcentral: ${p}\n`).join(''));
        io.setExitCode(2);
        return;
      }
      const target = deps.target();
      if ('problem' in target) {
        io.stderr.write(`simulate ringcentral: ${target.problem}\n`);
        io.setExitCode(1);
        return;
      }
      const { email, dnd, telephony, presenceStatus, userStatus } = options;
      let response: Response;
      try {
        response = await fetch(target.adminUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, dnd, telephony, presenceStatus, userStatus }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        io.stderr.write(
          `simulate ringcentral: cannot reach the RingCentral sandbox at ${target.adminUrl} (${(error as Error).message}); is the bridge (npm start) still running?\n`,
        );
        io.setExitCode(1);
        return;
      }
      const body = (await response.json().catch(() => ({}))) as RingCentralPresenceChangeResult & { message?: string };
      if (!response.ok) {
        io.stderr.write(`simulate ringcentral: the sandbox refused (HTTP ${response.status}): ${body.message ?? 'no detail'}\n`);
        io.setExitCode(1);
        return;
      }
      const { lines, ok } = describeRingCentralSimulation(body);
      io.stdout.write(lines.join('\n') + '\n');
      if (!ok) io.setExitCode(1);
    });
}
