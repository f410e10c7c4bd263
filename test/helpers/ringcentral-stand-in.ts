/**
 * The RingCentral stand-in of the tests: the product's RingCentral sandbox (src/sandbox/ringcentral/,
 * which documents how it follows RingCentral), started empty, without the webhook handshake unless a test
 * asks for it, plus test-only fault injection (`failNext`). Tests fill `extensions` and `presence`
 * themselves and drive deliveries with `deliverPresence`; so every RingCentral test also proves the
 * sandbox's likeness to RingCentral.
 */
import {
  RingCentralSandbox,
  type RingCentralSandboxAnswer,
  type RingCentralSandboxDelivery,
  type RingCentralSandboxExtension,
  type RingCentralSandboxOptions,
  type RingCentralSandboxRequest,
  type RingCentralSandboxSubscription,
} from '../../src/sandbox/ringcentral';

export { probeRingCentralHandshake, type HandshakeProbe } from '../../src/sandbox/ringcentral';

export type StandInSubscription = RingCentralSandboxSubscription;
export type StandInExtension = RingCentralSandboxExtension;
export type StandInRequest = RingCentralSandboxRequest;
export type ScriptedResponse = RingCentralSandboxAnswer;
export type StandInDelivery = RingCentralSandboxDelivery;
export type RingCentralStandInOptions = Omit<RingCentralSandboxOptions, 'seedDemoUsers' | 'stateFile' | 'host' | 'port'>;

export class RingCentralStandIn extends RingCentralSandbox {
  private readonly scripted: Array<{ method?: string; path: RegExp; response: ScriptedResponse }> = [];
  private nextId = 1;

  constructor(options: RingCentralStandInOptions = {}) {
    super({
      clientId: 'rc-client-id',
      clientSecret: 'rc-client-secret',
      jwt: 'eyJhbGciOiJSUzI1NiJ9.stand-in.jwt',
      validateAddress: false,
      ...options,
    });
  }

  /** The next request matching `path` (and `method`) gets `response` instead of the normal answer. */
  failNext(path: RegExp, response: ScriptedResponse, method?: string): void {
    this.scripted.push({ path, response, method });
  }

  /** Short predictable ids (`sub-1`, `sub-2`, …) the tests name. */
  protected override newSubscriptionId(): string {
    return `sub-${this.nextId++}`;
  }

  protected override scriptedAnswer(method: string, path: string): ScriptedResponse | undefined {
    const index = this.scripted.findIndex((s) => s.path.test(path) && (!s.method || s.method === method));
    return index >= 0 ? this.scripted.splice(index, 1)[0].response : undefined;
  }
}

/** Starts a stand-in; call `close()` in afterAll/afterEach. */
export function startRingCentralStandIn(options: RingCentralStandInOptions = {}): Promise<RingCentralStandIn> {
  return new RingCentralStandIn(options).start();
}
