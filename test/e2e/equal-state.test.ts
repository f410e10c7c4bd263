/**
 * Latest state wins (docs/architecture.md): a state equal to what Genesys already holds for that source
 * causes no write, even when it comes from a different source value (here two Zoom statuses mapped to the
 * same state).
 */
import fs from 'node:fs';
import path from 'node:path';
import { postZoom, sandboxPresence, startTestBridge, tempDataDir, waitFor, writesFor, zoomPresenceBody } from '../helpers/local-bridge';

it('writes once when a newer event maps to the state Genesys already holds', async () => {
  const dir = tempDataDir();
  const mappingFile = path.join(dir, 'mapping.json');
  fs.writeFileSync(
    mappingFile,
    JSON.stringify({ zoom: { presence_status: { Away: { target: 'Away', message: 'Away' }, Mobile_signed_in: { target: 'Away', message: 'Away' } } } }),
  );
  const bridge = await startTestBridge({ BRIDGE_DATA_DIR: dir, PRESENCE_MAPPING_FILE: mappingFile });
  try {
    const at = Math.floor(Date.now() / 1000);
    await postZoom(bridge, zoomPresenceBody({ email: 'carol@example.com', status: 'Away', at }));
    await waitFor(async () => (await sandboxPresence(bridge, 'carol@example.com'))?.systemPresence === 'Away');
    await postZoom(bridge, zoomPresenceBody({ email: 'carol@example.com', status: 'Mobile_signed_in', at: at + 5 }));
    const key = { system: 'zoom' as const, externalUserId: 'zoom-carol@example.com' };
    await waitFor(async () => (await bridge.parts.store.get(key))?.applied?.order === (at + 5) * 1000);
    const held = await sandboxPresence(bridge, 'carol@example.com');
    expect(writesFor(bridge, held!.userId)).toBe(1);
    expect((await bridge.parts.store.get(key))?.status).toBe('applied');
  } finally {
    await bridge.stop();
  }
});
