import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { s3RequestTimeoutMs, s3ResponseBytesMax } from './constants.ts';

/**
 * A minimal Amazon S3 client: the requests this project makes, signed with AWS Signature
 * Version 4 by node:crypto (no AWS SDK for S3 is installed; the KMS client's credential chain
 * supplies credentials, crypto/signing.ts awsDefaultCredentials). Virtual-hosted addressing on
 * AWS; path-style with an `endpoint` (a VPC endpoint, MinIO, or the fake in
 * packages/testkit/src/fake-s3.ts).
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface S3Settings {
  readonly bucket: string;
  readonly region: string;
  /** `http(s)://host[:port]`: path-style requests there instead of `https://<bucket>.s3.<region>.amazonaws.com`. */
  readonly endpoint?: string | undefined;
  readonly credentials: () => Promise<AwsCredentials>;
}

export interface S3Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** S3 answered something this code cannot act on (a 5xx, a refused credential, a timeout). */
export class S3Error extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'S3Error';
    this.status = status;
  }
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `/` kept in paths. */
export function uriEncode(value: string, keepSlash = false): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === '/')) return char;
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export interface SignableRequest {
  readonly method: string;
  /** Already URI-encoded path. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; must include host. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Sorted, RFC 3986-encoded: the canonical query string, also sent as is so both sides agree. */
const canonicalQueryOf = (query: Readonly<Record<string, string>>) =>
  Object.keys(query)
    .sort()
    .map((name) => `${uriEncode(name)}=${uriEncode(query[name] ?? '')}`)
    .join('&');

/** Adds x-amz-date, x-amz-content-sha256 (and the session token) and the Authorization header. */
export function signV4(
  request: SignableRequest,
  credentials: AwsCredentials,
  region: string,
  service: string,
  now = new Date(),
): void {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  request.headers['x-amz-date'] = amzDate;
  request.headers['x-amz-content-sha256'] = sha256Hex(request.body);
  if (credentials.sessionToken) request.headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(request.headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${String(request.headers[name]).trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = canonicalQueryOf(request.query);
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    request.headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

function send(url: URL, request: SignableRequest): Promise<S3Response> {
  const query = canonicalQueryOf(request.query);
  const target = query ? `${request.path}?${query}` : request.path;
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = requester(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        method: request.method,
        path: target,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        timeout: s3RequestTimeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > s3ResponseBytesMax) {
            response.destroy(new S3Error(`S3 answered more than ${s3ResponseBytesMax} bytes`, 502));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new S3Error(`S3 did not answer within ${s3RequestTimeoutMs} ms`, 504)),
    );
    outgoing.on('error', (error) =>
      reject(error instanceof S3Error ? error : new S3Error(`S3 unreachable: ${error.message}`, 503, { cause: error })),
    );
    outgoing.end(request.body);
  });
}

export interface S3Client {
  /** Sends one signed request for `key` (or the bucket when key is undefined). */
  request(
    method: 'GET' | 'PUT' | 'HEAD',
    key: string | undefined,
    options?: { query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer },
  ): Promise<S3Response>;
}

export function createS3Client(settings: S3Settings): S3Client {
  const base = new URL(settings.endpoint ?? `https://${settings.bucket}.s3.${settings.region}.amazonaws.com`);
  const pathStyle = settings.endpoint !== undefined;
  return {
    async request(method, key, options = {}) {
      const keyPath = key === undefined ? '' : uriEncode(key, true);
      const path = pathStyle ? `/${uriEncode(settings.bucket)}/${keyPath}` : `/${keyPath}`;
      const signable: SignableRequest = {
        method,
        path,
        query: options.query ?? {},
        headers: { host: base.host, ...options.headers },
        body: options.body ?? Buffer.alloc(0),
      };
      signV4(signable, await settings.credentials(), settings.region, 's3');
      return send(base, signable);
    },
  };
}

/** `s3://bucket/key` (a bucket name as S3 allows it, a key without whitespace) as its parts; undefined for anything else. */
export function parseS3Url(location: string): { readonly bucket: string; readonly key: string } | undefined {
  const [, bucket, key] = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\S+)$/.exec(location) ?? [];
  return bucket && key ? { bucket, key } : undefined;
}

/** The text of each `<tag>` element of an S3 XML answer (keys and tokens this code wrote: no nesting). */
export function xmlValues(xml: string, tag: string): string[] {
  const values: string[] = [];
  for (const match of xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))) {
    values.push(
      (match[1] ?? '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&'),
    );
  }
  return values;
}
