import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeHttpService } from './fake-http.ts';

/**
 * A fake Amazon S3 for tests: path-style (`/<bucket>/<key>`) PutObject, GetObject and
 * ListObjectsV2 on buckets with Object Lock. Every request must carry a valid AWS Signature V4 for
 * the fake's one access key (canonical request with the canonical query string, x-amz-content-sha256
 * equal to the body's hash); a PUT must carry Content-MD5 and Object Lock headers
 * (x-amz-object-lock-mode COMPLIANCE or GOVERNANCE, a retain-until date in the future), as S3
 * requires on a locked bucket; `If-None-Match: *` on an existing key answers 412. Objects under
 * lock can only gain versions, never be replaced: a PUT without If-None-Match adds a version that
 * GET then returns, as S3 does, so tests can show why the condition matters.
 */
export interface FakeS3Put {
  readonly bucket: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FakeS3 {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  createBucket(name: string): void;
  /** Accepted PUTs, in order. */
  readonly puts: readonly FakeS3Put[];
  /** Requests refused for their signature or their missing Object Lock headers. */
  readonly refused: readonly string[];
  /** Stores a new version of an object as an operator's upload would (no signature or lock checks). */
  putObject(bucket: string, key: string, body: Buffer): void;
  /** Every version of an object, oldest first. */
  versions(bucket: string, key: string): readonly Buffer[];
  /** Keys per ListObjectsV2 page (S3: 1,000), so tests can reach pagination with a few objects. */
  pageSize: number;
  close(): Promise<void>;
}

class S3Failure extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const xmlEscape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function verifySignature(request: IncomingMessage, body: Buffer, accessKeyId: string, secretAccessKey: string) {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      String(request.headers.authorization ?? ''),
    );
  if (!match) throw new S3Failure(403, 'AccessDenied', 'Missing or malformed SigV4 Authorization header');
  const [, keyId = '', date = '', region = '', signedHeaders = '', signature = ''] = match;
  if (keyId !== accessKeyId) throw new S3Failure(403, 'InvalidAccessKeyId', 'The AWS access key id does not exist');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) throw new S3Failure(403, 'SignatureDoesNotMatch', 'Date mismatch');
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!names.includes(required)) throw new S3Failure(403, 'SignatureDoesNotMatch', `${required} must be signed`);
  }
  if (request.headers['x-amz-content-sha256'] !== sha256Hex(body)) {
    throw new S3Failure(400, 'XAmzContentSHA256Mismatch', 'The body does not match x-amz-content-sha256');
  }
  const url = new URL(request.url ?? '/', 'http://fake');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([name, value]) => [encode(name), encode(value)])
    .sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 's3'), 'aws4_request');
  if (!timingSafeEqual(hmac(signingKey, stringToSign), Buffer.from(signature, 'hex'))) {
    throw new S3Failure(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match');
  }
}

function checkObjectLock(request: IncomingMessage, body: Buffer) {
  const md5 = request.headers['content-md5'];
  if (!md5) throw new S3Failure(400, 'InvalidRequest', 'Content-MD5 is required for a PUT with Object Lock parameters');
  if (md5 !== createHash('md5').update(body).digest('base64')) throw new S3Failure(400, 'BadDigest', 'Content-MD5');
  const mode = request.headers['x-amz-object-lock-mode'];
  const until = Date.parse(String(request.headers['x-amz-object-lock-retain-until-date'] ?? ''));
  if ((mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') || !(until > Date.now())) {
    throw new S3Failure(400, 'InvalidRequest', 'Object Lock mode and a future retain-until date are required');
  }
}

/** S3's ETag of a single-part object: the MD5 of its bytes, quoted. */
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

export async function startFakeS3(options: { region?: string } = {}): Promise<FakeS3> {
  const region = options.region ?? 'eu-central-1';
  const credentials = { accessKeyId: 'AKIAFAKES30000TEST', secretAccessKey: randomBytes(30).toString('base64') };
  const buckets = new Map<string, Map<string, Buffer[]>>();
  const puts: FakeS3Put[] = [];
  const refused: string[] = [];
  const state = { pageSize: 1_000 };

  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return bucket;
  };

  function list(bucket: Map<string, Buffer[]>, url: URL): string {
    const prefix = url.searchParams.get('prefix') ?? '';
    const after = url.searchParams.get('continuation-token') ?? '';
    const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, state.pageSize);
    const truncated = keys.length > page.length;
    return [
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>`,
      ...page.map((key) => `<Contents><Key>${xmlEscape(key)}</Key></Contents>`),
      truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1) ?? '')}</NextContinuationToken>` : '',
      '</ListBucketResult>',
    ].join('');
  }

  function handle(request: IncomingMessage, body: Buffer, response: ServerResponse) {
    try {
      try {
        verifySignature(request, body, credentials.accessKeyId, credentials.secretAccessKey);
        if (request.method === 'PUT') checkObjectLock(request, body);
      } catch (error) {
        refused.push(error instanceof S3Failure ? error.code : String(error));
        throw error;
      }
      const url = new URL(request.url ?? '/', 'http://fake');
      const [, bucketName = '', ...keyParts] = url.pathname.split('/');
      const bucket = bucketOf(decodeURIComponent(bucketName));
      const key = keyParts.map(decodeURIComponent).join('/');
      if (request.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(list(bucket, url));
      } else if (request.method === 'GET') {
        const latest = bucket.get(key)?.at(-1);
        if (!latest) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
        const etag = etagOf(latest);
        // A conditional GET of an unchanged object: 304 and no body, as S3 answers.
        if (request.headers['if-none-match'] === etag) {
          response.writeHead(304, { etag });
          response.end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json', etag });
        response.end(latest);
      } else if (request.method === 'PUT') {
        const existing = bucket.get(key);
        if (existing && request.headers['if-none-match'] === '*') {
          throw new S3Failure(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        }
        bucket.set(key, [...(existing ?? []), body]);
        puts.push({ bucket: bucketName, key, headers: { ...(request.headers as Record<string, string>) } });
        response.writeHead(200, { etag: etagOf(body) });
        response.end();
      } else {
        throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed');
      }
    } catch (error) {
      const failure = error instanceof S3Failure ? error : new S3Failure(500, 'InternalError', String(error));
      response.writeHead(failure.status, { 'content-type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${failure.code}</Code></Error>`);
    }
  }

  const service = await fakeHttpService(handle);
  return {
    endpoint: service.endpoint,
    region,
    credentials,
    createBucket(name) {
      buckets.set(name, new Map());
    },
    puts,
    refused,
    putObject(bucket, key, body) {
      const objects = bucketOf(bucket);
      objects.set(key, [...(objects.get(key) ?? []), body]);
    },
    versions: (bucket, key) => buckets.get(bucket)?.get(key) ?? [],
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(size: number) {
      state.pageSize = size;
    },
    close: () => service.close(),
  };
}
