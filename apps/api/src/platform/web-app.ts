import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webAppBytesMax, webAppFilesMax, webAppImmutableMaxAgeS } from './constants.ts';

/**
 * The customer web app (apps/mobile's `expo export -p web`) served at `/` on the API's own origin
 * (ADR 0116), so the app calls the API same-origin: no CORS, `connect-src 'self'`.
 *
 * - The build is read once at start-up into a manifest of files; only those files are served, so
 *   nothing outside the folder (`..`, symlinks out, encoded separators) can be named, and a folder
 *   is never listed. A build replaced on disk is served after a restart.
 * - Hashed files (`/_expo/static/…`, `/assets/…`, whose names carry their content hash) are cached
 *   for a year as immutable; index.html is never cached, so a new build is picked up at once.
 * - App routes (`/settings`, `/settings/about`: extensionless paths outside the API's prefixes)
 *   answer index.html and the router in the page takes over; paths with a file extension that is
 *   not in the build, and the API's own prefixes, keep the API's 404 problem+json.
 * - Its own Content-Security-Policy (`webAppContentSecurityPolicy`): scripts only from this
 *   origin, inline styles only by the hashes of those in index.html, connections only to this origin.
 * - No build (tests, an API-only deployment): nothing is registered and the API starts as before.
 */

export interface WebAppFile {
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly contentType: string;
  readonly immutable: boolean;
}

export interface WebApp {
  readonly files: ReadonlyMap<string, WebAppFile>;
  readonly contentSecurityPolicy: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};
const compressible = new Set(['.html', '.js', '.css', '.json', '.map', '.svg', '.txt']);
/** Folders of an Expo export whose file names carry a content hash. */
const hashedPrefixes = ['/_expo/static/', '/assets/'];
/** Paths that belong to the API: never answered with the app's index.html. */
const apiPrefixes = [
  '/api/',
  '/oidc',
  '/backoffice/',
  '/docs',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/.well-known/',
];

/** The sha256 CSP sources of the inline <style> and <script> bodies in index.html (Expo's style reset). */
export function inlineHashes(html: string, tag: 'style' | 'script'): string[] {
  const pattern = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi');
  const hashes: string[] = [];
  for (const match of html.matchAll(pattern)) {
    const attributes = match[1] ?? '';
    const body = match[2] ?? '';
    if (tag === 'script' && /\ssrc=/i.test(attributes)) continue;
    hashes.push(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  }
  return hashes;
}

/** The CSP hash of an empty inline element: allows an empty <style>, nothing written into it as text. */
const emptyInlineHash = `'sha256-${createHash('sha256').update('').digest('base64')}'`;

export function webAppContentSecurityPolicy(indexHtml: string, https: boolean): string {
  const styles = inlineHashes(indexHtml, 'style').join(' ');
  const scripts = inlineHashes(indexHtml, 'script').join(' ');
  return [
    "default-src 'none'",
    `script-src 'self'${scripts ? ` ${scripts}` : ''}`,
    // react-native-web adds one empty <style> element and writes its rules through the CSSOM
    // (insertRule), which CSP does not govern: the empty element is allowed by its hash.
    `style-src 'self' ${emptyInlineHash}${styles ? ` ${styles}` : ''}`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

function walk(root: string, dir: string, found: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Symbolic links are not followed: the build is what the folder holds.
    if (entry.isDirectory()) walk(root, full, found);
    else if (entry.isFile()) found.push(full);
    if (found.length > webAppFilesMax) throw new Error(`the web app build in ${root} has over ${webAppFilesMax} files`);
  }
}

/** Reads the build into memory; undefined when the folder has no index.html. */
export function loadWebApp(dir: string | undefined, options: { https: boolean }): WebApp | undefined {
  if (!dir || !existsSync(path.join(dir, 'index.html'))) return undefined;
  const paths: string[] = [];
  walk(dir, dir, paths);
  const files = new Map<string, WebAppFile>();
  let totalBytes = 0;
  for (const file of paths) {
    const url = `/${path.relative(dir, file).split(path.sep).join('/')}`;
    // The router reads `:` and `*` as parameters; an Expo export names no file with them.
    if (/[:*?#%]/.test(url)) continue;
    const extension = path.extname(file).toLowerCase();
    totalBytes += statSync(file).size;
    if (totalBytes > webAppBytesMax) throw new Error(`the web app build in ${dir} is over ${webAppBytesMax} bytes`);
    const body = readFileSync(file);
    files.set(url, {
      body,
      gzip: compressible.has(extension) ? gzipSync(body) : undefined,
      contentType: contentTypes[extension] ?? 'application/octet-stream',
      immutable: hashedPrefixes.some((prefix) => url.startsWith(prefix)),
    });
  }
  const index = files.get('/index.html');
  if (!index) return undefined;
  return { files, contentSecurityPolicy: webAppContentSecurityPolicy(index.body.toString('utf8'), options.https) };
}

function send(request: FastifyRequest, reply: FastifyReply, webApp: WebApp, file: WebAppFile) {
  const gzip = file.gzip !== undefined && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .header('content-type', file.contentType)
    .header('content-security-policy', webApp.contentSecurityPolicy)
    .header('vary', 'accept-encoding');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzip : file.body);
}

/** An app route the router in index.html renders: extensionless, no dot segments, not the API's. */
export function isAppRoute(url: string): boolean {
  const pathname = url.split('?')[0] ?? '/';
  if (apiPrefixes.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix))) return false;
  if (hashedPrefixes.some((prefix) => pathname.startsWith(prefix))) return false;
  if (/%2e|%2f|%5c|%00|\\|\/\.\.?(\/|$)/i.test(pathname)) return false;
  const last = pathname.split('/').pop() ?? '';
  return !last.includes('.');
}

/**
 * Registers one GET route per file of the build, plus `/`, and returns the fallback the API's
 * not-found handler calls for app routes. Hidden from the OpenAPI document: they are not the API.
 */
export type WebAppFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

export async function registerWebApp(
  app: FastifyInstance,
  webApp: WebApp | undefined,
): Promise<WebAppFallback | undefined> {
  const index = webApp?.files.get('/index.html');
  if (!webApp || !index) return undefined;
  await app.register(async (scope) => {
    const immutable = new WeakSet<FastifyRequest>();
    // Runs after the app-wide onSend (which says no-store): hashed files are cached for a year,
    // the rest revalidated on every load.
    scope.addHook('onSend', async (request, reply) => {
      reply.header(
        'cache-control',
        immutable.has(request) ? `public, max-age=${webAppImmutableMaxAgeS}, immutable` : 'no-cache',
      );
    });
    const serve = (file: WebAppFile) => (request: FastifyRequest, reply: FastifyReply) => {
      if (file.immutable) immutable.add(request);
      return send(request, reply, webApp, file);
    };
    for (const [url, file] of webApp.files) scope.get(url, { schema: { hide: true } }, serve(file));
    scope.get('/', { schema: { hide: true } }, serve(index));
  });
  // App routes answer index.html from the not-found handler; the app-wide no-store stays on them.
  return (request, reply) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !isAppRoute(request.url)) return undefined;
    return send(request, reply, webApp, index);
  };
}
