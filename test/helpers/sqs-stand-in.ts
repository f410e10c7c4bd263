/**
 * A minimal SQS-compatible server for tests (AWS JSON 1.0 protocol, as AWS SDK v3 speaks it):
 * SendMessageBatch, ReceiveMessage, DeleteMessage, ChangeMessageVisibility. No local SQS exists in
 * the npm registry that needs no Java download, so this stands in at the network edge.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';

interface StoredMessage {
  id: string;
  body: string;
  visibleAt: number;
  receipt?: string;
}

/** SQS returns the MD5 of each body and the SDK checks it. */
function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export interface SqsStandIn {
  readonly queueUrl: string;
  readonly client: SQSClient;
  /** Bodies currently in the queue (visible or not). */
  bodies(): string[];
  close(): Promise<void>;
}

export async function startSqsStandIn(): Promise<SqsStandIn> {
  const messages: StoredMessage[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const input = raw ? JSON.parse(raw) : {};
      const reply = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      const now = Date.now();
      switch (action) {
        case 'SendMessageBatch': {
          // "The maximum allowed individual message size and the maximum total payload size (the sum of the
          // individual lengths of all of the batched messages) are both 256 KiB"
          // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
          const total = input.Entries.reduce((sum: number, e: { MessageBody: string }) => sum + Buffer.byteLength(e.MessageBody, 'utf8'), 0);
          if (total > 262_144) {
            res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(
              JSON.stringify({ __type: 'com.amazonaws.sqs#BatchRequestTooLong', message: `Batch requests cannot be longer than 262144 bytes (${total})` }),
            );
            return;
          }
          reply({
            Successful: input.Entries.map((e: { Id: string; MessageBody: string; DelaySeconds?: number }) => {
              const id = randomUUID();
              messages.push({ id, body: e.MessageBody, visibleAt: now + (e.DelaySeconds ?? 0) * 1000 });
              return { Id: e.Id, MessageId: id, MD5OfMessageBody: md5(e.MessageBody) };
            }),
            Failed: [],
          });
          return;
        }
        case 'ReceiveMessage': {
          const max = input.MaxNumberOfMessages ?? 1;
          const visible = messages.filter((m) => m.visibleAt <= now).slice(0, max);
          for (const m of visible) {
            m.receipt = randomUUID();
            m.visibleAt = now + (input.VisibilityTimeout ?? 30) * 1000;
          }
          reply({ Messages: visible.map((m) => ({ MessageId: m.id, ReceiptHandle: m.receipt, Body: m.body, MD5OfBody: md5(m.body) })) });
          return;
        }
        case 'DeleteMessage': {
          const index = messages.findIndex((m) => m.receipt === input.ReceiptHandle);
          if (index >= 0) messages.splice(index, 1);
          reply({});
          return;
        }
        case 'ChangeMessageVisibility': {
          const m = messages.find((x) => x.receipt === input.ReceiptHandle);
          if (m) m.visibleAt = now + input.VisibilityTimeout * 1000;
          reply({});
          return;
        }
        default:
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'InvalidAction', message: `unsupported ${action}` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    queueUrl: `${endpoint}/000000000000/bridge-keys`,
    client,
    bodies: () => messages.map((m) => m.body),
    close: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
