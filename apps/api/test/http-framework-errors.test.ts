import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyLimitBytes, headerSizeMaxBytes } from '../src/platform/constants.ts';
import { buildTestApp } from './helper.ts';

/**
 * Errors raised by Node's HTTP parser and by Fastify before a route runs answer RFC 9457
 * problem+json with a stable code, like every other error: sent over raw sockets (node:net) to a
 * listening server, because app.inject never reaches the parser.
 */

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function parseAnswer(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no HTTP answer in: ${raw.slice(0, 200)}`);
  const [statusLine = '', ...headerLines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  let body = raw.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked')
    body = body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '');
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Writes `request` as is, reads until the server closes the connection (each request says close). */
function sendRaw(port: number, request: string | Buffer, onConnected?: (socket: net.Socket) => void) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      if (request.length > 0) socket.write(request);
      onConnected?.(socket);
    });
    let raw = '';
    socket.on('data', (chunk) => {
      raw += chunk.toString('utf8');
    });
    socket.on('error', () => {}); // the server may reset after answering; the answer is what counts
    socket.on('close', () => {
      try {
        resolve(parseAnswer(raw));
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function listening(t: TestContext) {
  const testApp = await buildTestApp(t);
  await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...testApp, port: (testApp.app.server.address() as net.AddressInfo).port };
}

function assertProblem(answer: RawAnswer, status: number, code: string) {
  assert.equal(answer.status, status, answer.body);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(body.type, `/problems/${code}`);
  assert.ok(typeof body.detail === 'string' && body.detail.length > 20, 'a detail telling the caller what to do');
  assert.ok(typeof body.traceId === 'string' && body.traceId.length > 0);
  return body;
}

const request = (lines: readonly string[], body = '') =>
  `${[...lines, 'connection: close', '', ''].join('\r\n')}${body}`;

describe('framework-level errors', () => {
  it(`answer a request head over ${headerSizeMaxBytes / 1024} KiB with 431 request_header_too_large`, async (t) => {
    const { port } = await listening(t);
    const answer = await sendRaw(
      port,
      request(['GET /healthz HTTP/1.1', 'host: localhost', `x-note: ${'a'.repeat(headerSizeMaxBytes + 1)}`]),
    );
    assertProblem(answer, 431, 'request_header_too_large');
    assert.equal(answer.headers.connection, 'close');
  });

  it('answer a request Node cannot parse with 400 malformed_request', async (t) => {
    const { port } = await listening(t);
    assertProblem(
      await sendRaw(port, request(['GET /healthz HTTP/1.1', 'host: localhost', 'no colon here'])),
      400,
      'malformed_request',
    );
    assertProblem(await sendRaw(port, 'NOT-A-METHOD / HTTP/1.1\r\n\r\n'), 400, 'malformed_request');
    const badChunk = request(
      [
        'POST /api/v1/customers HTTP/1.1',
        'host: localhost',
        'content-type: application/json',
        'transfer-encoding: chunked',
      ],
      'zz\r\n{}\r\n0\r\n\r\n',
    );
    assertProblem(await sendRaw(port, badChunk), 400, 'malformed_request');
  });

  it('answer a request that timed out in the parser with 408 request_timeout', async (t) => {
    const { app, port } = await listening(t);
    // Node raises ERR_HTTP_REQUEST_TIMEOUT from its connection check (every 30 s by default) when a
    // head or body is not complete within headersTimeout/requestTimeout; raise it on the real
    // server socket of a connection that sent half a head, as Node does.
    const serverSocket = new Promise<net.Socket>((resolve) => app.server.once('connection', resolve));
    const answer = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nhost: loc', async () => {
      const timeout = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      app.server.emit('clientError', timeout, await serverSocket);
    });
    assertProblem(answer, 408, 'request_timeout');
  });

  it('answer bad JSON, too large a body, another media type, an unknown route and another method as problem+json', async (t) => {
    const { port } = await listening(t);
    const post = (headers: readonly string[], body: string) =>
      sendRaw(
        port,
        request(
          [
            'POST /api/v1/customers HTTP/1.1',
            'host: localhost',
            ...headers,
            `content-length: ${Buffer.byteLength(body)}`,
          ],
          body,
        ),
      );
    assertProblem(await post(['content-type: application/json'], '{"name": '), 400, 'malformed_json');
    assertProblem(
      await post(['content-type: application/json'], `"${'a'.repeat(bodyLimitBytes)}"`),
      413,
      'body_too_large',
    );
    assertProblem(await post(['content-type: text/plain'], 'hello'), 415, 'unsupported_media_type');
    assertProblem(
      await sendRaw(port, request(['GET /api/v1/nothing-here HTTP/1.1', 'host: localhost'])),
      404,
      'route_not_found',
    );
    const wrongMethod = await sendRaw(port, request(['DELETE /api/v1/customers HTTP/1.1', 'host: localhost']));
    assertProblem(wrongMethod, 405, 'method_not_allowed');
    assert.equal(wrongMethod.headers.allow, 'POST');
  });

  it('answer requests that arrive while the server drains with 503 shutting_down and Retry-After', async (t) => {
    const { app, port } = await listening(t);
    // A request whose body is still arriving keeps its connection busy (close() reaps only idle
    // ones); once the server stopped listening, the rest of that body and a second request follow.
    const body = '{"name":"Ada"}';
    const head = `POST /api/v1/customers HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const inFlight = new Promise((resolve) => app.server.once('request', resolve));
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head}${body.slice(0, 3)}`));
    let raw = '';
    socket.on('data', (chunk) => {
      raw += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    const socketClosed = new Promise((resolve) => socket.on('close', resolve));
    await inFlight;
    const closed = app.close();
    while (app.server.listening) await sleep(5);
    socket.write(`${body.slice(3)}GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n`);
    await socketClosed;
    await closed;
    const second = raw.indexOf('HTTP/1.1', 1);
    assert.ok(second > 0, `two answers: ${raw}`);
    assert.match(raw.slice(0, second), /^HTTP\/1\.1 400 /);
    const answer = parseAnswer(raw.slice(second));
    assertProblem(answer, 503, 'shutting_down');
    assert.equal(answer.headers['retry-after'], '1');
  });
});
