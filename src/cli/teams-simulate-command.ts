/**
 * `presence-bridge simulate teams --email … --availability … --activity …`: the built-in Microsoft
 * sandbox changes the user's presence and delivers the change notification to the bridge as Graph
 * would (docs/teams.md, "Trying Teams offline"). Only parsing and printing live here.
 */
import type { Command } from 'commander';
import { BridgeError } from '../errors';
import type { PresenceChangeResult } from '../sandbox/microsoft';
import { subcommand } from './zoom-commands';

export interface TeamsSimulateDeps {
  readonly simulate: (change: { email: string; availability: string; activity: string }) => Promise<PresenceChangeResult>;
  readonly stdout?: (text: string) => void;
}

/** What `simulate teams` prints for a sandbox answer. */
export function formatPresenceChange(result: PresenceChangeResult): string {
  const lines = [`Microsoft sandbox: ${result.email} is now ${result.availability}/${result.activity} (sequenceNumber ${result.sequenceNumber})`];
  for (const delivery of result.deliveries) {
    const outcome = delivery.error ? `failed: ${delivery.error}` : `HTTP ${delivery.status}`;
    lines.push(`  ${delivery.kind} notification of subscription ${delivery.subscriptionId} to ${delivery.notificationUrl}: ${outcome}`);
  }
  return lines.join('\n');
}

export function registerTeamsSimulateCommand(program: Command, deps: TeamsSimulateDeps): void {
  const out = deps.stdout ?? ((text: string) => process.stdout.write(text + '\n'));
  subcommand(program, 'simulate', 'send a signed simulated event to a running bridge')
    .command('teams')
    .description("change a user's presence in the built-in Microsoft sandbox; it notifies the bridge as Graph would")
    .requiredOption('--email <email>', 'the user whose presence changes (e.g. alice@example.com)')
    .requiredOption('--availability <availability>', 'Graph availability: Available, Busy, DoNotDisturb, Away, BeRightBack, Offline, …')
    .requiredOption('--activity <activity>', 'Graph activity: InACall, InAMeeting, Presenting, Available, …')
    .action(async (options: { email: string; availability: string; activity: string }) => {
      const result = await deps.simulate({ email: options.email, availability: options.availability, activity: options.activity });
      out(formatPresenceChange(result));
      if (result.deliveries.length === 0) {
        throw new BridgeError(
          `no Teams subscription covers ${result.email} yet, so nothing was delivered: run \`presence-bridge teams login --account demo\` first (the bridge then subscribes at once)`,
        );
      }
      const failed = result.deliveries.filter((delivery) => delivery.error || delivery.status < 200 || delivery.status >= 300);
      if (failed.length > 0) throw new BridgeError(`the bridge did not accept ${failed.length} notification(s); see its log`);
    });
}
