/**
 * The local server's socket, opened before anything else starts: it answers 503 (`starting`) until the
 * assembled bridge's handler is plugged in, so a busy port fails the start at once and the sandboxes can
 * be told the bridge's own URL (PORT may be 0) before they create subscriptions to it.
 */
import http from 'node:http';

export interface Front {
  readonly server: http.Server;
  /** Plugs in the request handler (the express app); until then every request gets 503. */
  serve(handler: http.RequestListener): void;
  close(): Promise<void>;
}

export async function listenFront(port: number, bindAddress: string): Promise<Front> {
  let handler: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (handler) return void handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ status: 'starting' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new Error(
      `cannot listen on ${bindAddress}:${port}: ${(error as Error).message}; set PORT to a free port (and BIND_ADDRESS to an address of this machine)`,
      { cause: error },
    );
  });
  return {
    server,
    serve(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
