import { startDynalite } from '../helpers/dynalite';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
test('x', async () => {
  const d = await startDynalite();
  const out = await d.client.send(new ListTablesCommand({}));
  console.log(out.TableNames);
  await d.close();
});
