/**
 * Property-based tests (fast-check) of the pure parts reliability rests on: the mapping engine
 * (README.md#presence-mapping) and every verifier (any mutation of body, signature,
 * timestamp or token is rejected). Pure and fast: a few hundred runs each.
 */
import fc from 'fast-check';
import type { RingCentralConfig } from '../../src/config';
import { DEFAULT_PRESENCE_MAPPING, mapPresence, parsePresenceMapping, type PresenceEvent } from '../../src/presence';
import { verifyRingCentralToken } from '../../src/sources/ringcentral/verify';
import { createRingCentralWebhookSource, RINGCENTRAL_WEBHOOK_PATH } from '../../src/sources/ringcentral/webhook';
import { matchesClientState } from '../../src/sources/teams/client-state';
import { createTeamsWebhookSource, TEAMS_WEBHOOK_PATH } from '../../src/sources/teams/webhook';
import { signZoomRequest, verifyZoomSignature } from '../../src/sources/zoom/verify';
import { SYSTEMS, type SystemName } from '../../src/systems';
import type { InboundRequest } from '../../src/webhooks/types';

const KNOWN_TARGETS = ['Available', 'Away', 'Busy', 'Meeting', 'Offline'];

/** Every (system, field, value) row of the default mapping; values as stored (lower case). */
const ROWS = SYSTEMS.flatMap((system) =>
  DEFAULT_PRESENCE_MAPPING[system].flatMap(({ field, rules }) => Object.keys(rules).map((value) => ({ system, field, value }))),
);
/** Canonical spellings as the vendors send them (README.md#presence-mapping), for re-casing. */
const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    'Available',
    'AvailableIdle',
    'Away',
    'BeRightBack',
    'Busy',
    'BusyIdle',
    'DoNotDisturb',
    'InACall',
    'InAConferenceCall',
    'Presenting',
    'UrgentInterruptionsOnly',
    'InAMeeting',
    'OutOfOffice',
    'Offline',
    'OffWork',
    'PresenceUnknown',
    'Mobile_signed_in',
    'Do_Not_Disturb',
    'On_Phone_Call',
    'In_Meeting',
    'In_Calendar_Event',
    'Out_of_Office',
    'DoNotAcceptAnyCalls',
    'CallConnected',
    'Ringing',
    'OnHold',
    'Connected',
  ].map((v) => [v.toLowerCase(), v]),
);
const canonical = (value: string) => CANONICAL[value] ?? value;

const event = (system: SystemName, values: Record<string, string>): PresenceEvent => ({ system, externalUserId: 'u', values, order: 1 });

const rowArb = fc.constantFrom(...ROWS);
const systemArb = fc.constantFrom(...SYSTEMS);
/** Field names: the real ones, re-cased or not, and anything else. */
const fieldArb = fc.oneof(
  fc.constantFrom(...new Set(ROWS.map((r) => r.field))).chain((f) => fc.mixedCase(fc.constant(f))),
  fc.string({ maxLength: 12 }),
);
/** Values: the real ones, re-cased or padded, and arbitrary text (any Unicode). */
const valueArb = fc.oneof(
  rowArb.chain((r) => fc.mixedCase(fc.constant(canonical(r.value)))),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.string({ maxLength: 20 }),
);
const wordArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);

describe('mapping engine (properties)', () => {
  it('maps any system and values to a known target or skip (null), never throwing', () => {
    fc.assert(
      fc.property(systemArb, fc.dictionary(fieldArb, valueArb, { maxKeys: 5 }), (system, values) => {
        const state = mapPresence(event(system, values));
        expect(state.target === null || KNOWN_TARGETS.includes(state.target)).toBe(true);
        expect(typeof state.message).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('a written state always carries words to read (non-empty message) for word-like values', () => {
    fc.assert(
      fc.property(
        systemArb,
        fc.dictionary(
          fieldArb,
          fc.oneof(
            valueArb.filter((v) => /[A-Za-z0-9]/.test(v)),
            wordArb,
          ),
          { maxKeys: 4 },
        ),
        (system, values) => {
          fc.pre(Object.values(values).every((v) => /[A-Za-z0-9]/.test(v)));
          const state = mapPresence(event(system, values));
          if (state.target !== null) expect(state.message.trim()).not.toBe('');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any re-casing (and padding) of a field name or value maps to the same target', () => {
    fc.assert(
      fc.property(
        rowArb.chain((row) =>
          fc.tuple(
            fc.constant(row),
            fc.mixedCase(fc.constant(row.field)),
            fc.mixedCase(fc.constant(canonical(row.value))),
            fc.constantFrom('', ' ', '\t', '  '),
          ),
        ),
        ([row, field, value, pad]) => {
          const expected = mapPresence(event(row.system, { [row.field]: canonical(row.value) }));
          const actual = mapPresence(event(row.system, { [field]: `${pad}${value}${pad}` }));
          expect(actual.target).toBe(expected.target);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('all-upper and all-lower spellings also give the same message as the canonical spelling', () => {
    fc.assert(
      fc.property(rowArb, fc.boolean(), (row, upper) => {
        const spelled = upper ? canonical(row.value).toUpperCase() : canonical(row.value).toLowerCase();
        expect(mapPresence(event(row.system, { [row.field]: spelled }))).toEqual(mapPresence(event(row.system, { [row.field]: canonical(row.value) })));
      }),
      { numRuns: 200 },
    );
  });

  it('Teams: a known activity decides the target whatever the availability', () => {
    const activities = ROWS.filter((r) => r.system === 'teams' && r.field === 'activity');
    fc.assert(
      fc.property(fc.constantFrom(...activities), valueArb, (activity, availability) => {
        const alone = mapPresence(event('teams', { activity: canonical(activity.value) }));
        const both = mapPresence(event('teams', { availability, activity: canonical(activity.value) }));
        expect(both.target).toBe(alone.target);
      }),
      { numRuns: 200 },
    );
  });

  it('overriding one row via parsePresenceMapping changes that row only', () => {
    const before = structuredClone(DEFAULT_PRESENCE_MAPPING);
    const targetArb = fc.oneof(fc.constantFrom(...KNOWN_TARGETS, 'skip', 'SKIP', ' Busy ', 'Lunch break'), wordArb);
    const overrideArb = fc.tuple(
      rowArb,
      fc.oneof(
        rowArb.map((r) => canonical(r.value)),
        wordArb,
      ), // an existing value, or a new one
      targetArb,
      fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(overrideArb, ([{ system, field }, rawValue, target, message, recase]) => {
        const value = recase ? rawValue.toUpperCase() : rawValue;
        const key = recase ? field.toUpperCase() : field;
        const rule = message === undefined ? target : { target, message };
        const mapping = parsePresenceMapping({ [system]: { [key]: { [value]: rule } } });

        const rows = [...ROWS, { system, field, value: rawValue.toLowerCase() }];
        for (const row of rows) {
          const values = { [row.field]: canonical(row.value) };
          const got = mapPresence(event(row.system, values), mapping);
          const defaults = mapPresence(event(row.system, values));
          if (row.system === system && row.field === field && row.value === rawValue.toLowerCase()) {
            const trimmed = target.trim();
            expect(got).toEqual({ target: trimmed.toLowerCase() === 'skip' ? null : trimmed, message: message ?? defaults.message });
          } else {
            expect(got).toEqual(defaults);
          }
        }
        expect(DEFAULT_PRESENCE_MAPPING).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });
});

// ── Verifiers ───────────────────────────────────────────────────────────────────────────────────────

/** Printable ASCII without space: what secrets and tokens in environment variables look like. */
const tokenCharArb = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const secretArb = fc.string({ unit: tokenCharArb, minLength: 1, maxLength: 64 });

type StringMutation = { kind: 'replace' | 'insert' | 'delete'; at: number; char: string };
const stringMutationArb: fc.Arbitrary<StringMutation> = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat(),
  char: tokenCharArb,
});

/** Applies a one-character mutation; the result always differs from the input. */
function mutateString(text: string, m: StringMutation): string {
  const at = text.length === 0 ? 0 : m.at % (m.kind === 'insert' ? text.length + 1 : text.length);
  if (m.kind === 'insert' || text.length === 0) return text.slice(0, at) + m.char + text.slice(at);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + 1);
  const replacement = m.char === text[at] ? String.fromCharCode(((m.char.charCodeAt(0) - 0x21 + 1) % 94) + 0x21) : m.char;
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

type ByteMutation = { kind: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };
const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 1, max: 255 }),
});

/** Applies a one-byte mutation (or a truncation); the result always differs from the input. */
function mutateBytes(body: Buffer, m: ByteMutation): Buffer {
  if (body.length === 0 || m.kind === 'insert') {
    const at = body.length === 0 ? 0 : m.at % (body.length + 1);
    return Buffer.concat([body.subarray(0, at), Buffer.from([m.byte]), body.subarray(at)]);
  }
  const at = m.at % body.length;
  if (m.kind === 'delete') return Buffer.concat([body.subarray(0, at), body.subarray(at + 1)]);
  if (m.kind === 'truncate') return body.subarray(0, at);
  const copy = Buffer.from(body);
  copy[at] ^= m.byte;
  return copy;
}

describe('Zoom signature verifier (properties)', () => {
  const TOLERANCE = 300;
  const NOW = 1_767_225_600_000; // fixed clock: the verifier takes it as input
  const bodyArb = fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b));
  const skewArb = fc.integer({ min: -TOLERANCE, max: TOLERANCE });

  const verify = (secrets: string[], headers: Record<string, string>, body: Buffer) =>
    verifyZoomSignature({ secrets, headers, body, nowMs: NOW, toleranceSeconds: TOLERANCE });

  it('accepts whatever the production signer signs, with any of the rotated secrets', () => {
    fc.assert(
      fc.property(secretArb, secretArb, bodyArb, skewArb, fc.boolean(), (secret, other, body, skew, secondInList) => {
        const headers = { ...signZoomRequest(secret, body, NOW / 1000 + skew) };
        const secrets = secondInList ? [other, secret] : [secret];
        expect(verify(secrets, headers, body).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any mutation of the body, the signature, the timestamp or the secret', () => {
    const targetArb = fc.constantFrom('body', 'signature', 'timestamp', 'secret');
    fc.assert(
      fc.property(secretArb, bodyArb, skewArb, targetArb, byteMutationArb, stringMutationArb, (secret, body, skew, target, byteMutation, stringMutation) => {
        const signed = signZoomRequest(secret, body, NOW / 1000 + skew);
        let headers: Record<string, string> = { ...signed };
        let sentBody: Buffer = body;
        let secrets = [secret];
        switch (target) {
          case 'body':
            sentBody = mutateBytes(body, byteMutation);
            break;
          case 'signature':
            headers = { ...headers, 'x-zm-signature': mutateString(signed['x-zm-signature'], stringMutation) };
            break;
          case 'timestamp':
            headers = { ...headers, 'x-zm-request-timestamp': mutateString(signed['x-zm-request-timestamp'], stringMutation) };
            break;
          case 'secret':
            secrets = [mutateString(secret, stringMutation)];
            break;
        }
        const result = verify(secrets, headers, sentBody);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a correctly signed request whose timestamp is outside the tolerance', () => {
    fc.assert(
      fc.property(secretArb, bodyArb, fc.integer({ min: TOLERANCE + 1, max: 10_000_000 }), fc.boolean(), (secret, body, away, future) => {
        const ts = NOW / 1000 + (future ? away : -away);
        fc.pre(ts >= 0);
        const result = verify([secret], { ...signZoomRequest(secret, body, ts) }, body);
        expect(result).toMatchObject({ ok: false, code: 'stale_timestamp' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('Teams clientState check (properties)', () => {
  it('accepts exactly the configured values (rotation: any of them)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }), fc.nat(), (configured, pick) => {
        expect(matchesClientState(configured[pick % configured.length], configured)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any one-character mutation, and any re-casing that changes the value', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }), fc.nat(), stringMutationArb, fc.boolean(), (configured, pick, m, recase) => {
        const original = configured[pick % configured.length];
        const received = recase ? original.toUpperCase() : mutateString(original, m);
        fc.pre(!configured.includes(received));
        expect(matchesClientState(received, configured)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('through the /webhooks/teams source: a mutated clientState drops exactly that item; a batch with no good item is a 403', async () => {
    const subscriptionId = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
    const batch = (clientStates: string[]) => ({
      value: clientStates.map((clientState, i) => ({
        subscriptionId,
        clientState,
        changeType: 'updated',
        tenantId: 'bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f',
        resource: `communications/presences/00000000-0000-0000-0000-00000000000${i}`,
        resourceData: { id: `00000000-0000-0000-0000-00000000000${i}` },
      })),
    });
    const request = (body: unknown): InboundRequest => ({
      method: 'POST',
      path: TEAMS_WEBHOOK_PATH,
      query: {},
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      receivedAt: Date.now(),
    });
    await fc.assert(
      fc.asyncProperty(secretArb, fc.integer({ min: 1, max: 4 }), fc.nat(), stringMutationArb, async (clientState, items, which, m) => {
        const source = createTeamsWebhookSource({ clientStates: [clientState], isKnownSubscription: (id) => id === subscriptionId });
        const good = Array.from({ length: items }, () => clientState);
        expect(await source.handle(request(batch(good)))).toMatchObject({ kind: 'accepted', ackStatus: 202 });
        const mutated = mutateString(clientState, m);
        fc.pre(mutated !== clientState);
        const bad = [...good];
        bad[which % items] = mutated;
        const outcome = await source.handle(request(batch(bad)));
        if (items === 1) {
          expect(outcome).toMatchObject({ kind: 'rejected', status: 403 });
        } else {
          // Graph mixes subscriptions in one POST: the others are still recorded (here: read from Graph).
          const userIds = (outcome as { tasks?: Array<{ data: { userIds?: string } }> }).tasks?.[0]?.data.userIds?.split(',');
          expect(outcome).toMatchObject({ kind: 'accepted', ackStatus: 202, dropped: 1 });
          expect(userIds).toHaveLength(items - 1);
          expect(userIds).not.toContain(`00000000-0000-0000-0000-00000000000${which % items}`);
        }
        expect(await source.handle(request(batch(good.map(() => mutated))))).toMatchObject({ kind: 'rejected', status: 403 });
      }),
      { numRuns: 100 },
    );
  });
});

describe('RingCentral verification token (properties)', () => {
  const notification = (extensionId: string) =>
    Buffer.from(
      JSON.stringify({
        uuid: '045b81dc-9f73-4864-84de-08aa6324a7f5',
        event: `/restapi/v1.0/account/~/extension/${extensionId}/presence?detailedTelephonyState=true`,
        timestamp: '2026-02-18T09:37:24.597Z',
        subscriptionId: '9d38419f-645f-4ee3-a053-8cf1368c21c4',
        ownerId: extensionId,
        body: { extensionId, telephonyStatus: 'CallConnected', sequence: 2698, presenceStatus: 'Busy', dndStatus: 'TakeAllCalls' },
      }),
    );
  const request = (headers: Record<string, string>): InboundRequest => ({
    method: 'POST',
    path: RINGCENTRAL_WEBHOOK_PATH,
    query: {},
    headers: { 'content-type': 'application/json', ...headers },
    body: notification('6610372004'),
    receivedAt: Date.now(),
  });
  const headerNameArb = fc.constantFrom('verification-token', 'Verification-Token', 'VERIFICATION-TOKEN');

  it('accepts exactly the configured tokens (rotation: any of them), in either header', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }), fc.nat(), headerNameArb, (tokens, pick, header) => {
        expect(verifyRingCentralToken({ tokens, headers: { [header]: tokens[pick % tokens.length] } }).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any one-character mutation of the token, directly and through /webhooks/ringcentral (401)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        stringMutationArb,
        headerNameArb,
        async (tokens, pick, m, header) => {
          const mutated = mutateString(tokens[pick % tokens.length], m);
          // Deleting the only character leaves no token at all: rejected as missing, which is fine too.
          fc.pre(!tokens.includes(mutated));
          expect(verifyRingCentralToken({ tokens, headers: { [header]: mutated } }).ok).toBe(false);
          const config: Pick<RingCentralConfig, 'verificationTokens'> = { verificationTokens: tokens };
          const source = createRingCentralWebhookSource(config);
          expect(await source.handle(request({ [header.toLowerCase()]: tokens[pick % tokens.length] }))).toMatchObject({ kind: 'accepted' });
          expect(await source.handle(request({ [header.toLowerCase()]: mutated }))).toMatchObject({ kind: 'rejected', status: 401 });
        },
      ),
      { numRuns: 200 },
    );
  });
});
