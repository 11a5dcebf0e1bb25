import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP side of the testkit's fake cloud services (fake-s3.ts, fake-kms.ts): a server on a free
 * loopback port that reads each request's whole body before calling `handle` (both fakes sign over
 * the body, so they need it first), and a close that also ends kept-alive connections, so an AWS
 * SDK client's pooled sockets cannot keep a test process alive.
 */
export interface FakeHttpService {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  close(): Promise<void>;
}

export type FakeHttpHandler = (
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
) => Promise<void> | void;

export async function fakeHttpService(handle: FakeHttpHandler): Promise<FakeHttpService> {
  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      await handle(request, Buffer.concat(chunks), response);
    })().catch(() => {
      // A handler answers its own errors; this only catches a client that hung up mid-body.
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
