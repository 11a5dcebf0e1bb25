import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Config, ConfigError } from './config.ts';
import { corsPreflightMaxAgeS, headerSizeMaxBytes, hstsMaxAgeS } from './constants.ts';

/**
 * Transport and browser-facing protections (OWASP ASVS V14 / V50, FAPI 2.0 §5.2.1 TLS):
 * - TLS when TLS_CERT_FILE and TLS_KEY_FILE are set (TLS 1.2 at least); otherwise plain HTTP behind
 *   a load balancer that terminates TLS.
 * - Security headers on every answer (@fastify/helmet): nosniff, no referrer, no framing,
 *   cross-origin isolation headers; HSTS when this process serves TLS or runs in production (where the
 *   load balancer serves TLS and forwards to us).
 * - A strict Content-Security-Policy on API answers. The hosted login page and /docs set their own
 *   (hash- and self-based), which this one does not overwrite.
 * - CORS only for the origins in CORS_ALLOWED_ORIGINS; any other origin gets no CORS header at all, so
 *   a browser refuses to hand it the answer. /oidc is left to the authorization server, which answers
 *   CORS for its own endpoints per client.
 * - Request heads larger than headerSizeMaxBytes are refused by Node's parser with 431.
 */

/** For JSON answers: nothing may load, nothing may frame them, no form may post from them. */
export const apiContentSecurityPolicy =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers a browser client may send cross-origin beyond the CORS-safelisted ones. */
const corsAllowedHeaders = ['authorization', 'content-type', 'dpop', 'idempotency-key', 'traceparent', 'x-request-id'];
/** Headers a browser client may read from an answer beyond the CORS-safelisted ones. */
const corsExposedHeaders = [
  'dpop-nonce',
  'idempotent-replayed',
  'location',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'www-authenticate',
  'x-request-id',
];

/** Reads the certificate and key once, at start-up; a missing file stops the process naming the setting. */
function readPem(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new ConfigError(setting, `names a file that cannot be read: ${file}`);
  }
}

/**
 * Fastify server options: TLS when configured, and the request-head size limit (431 beyond it).
 * Typed as the plain-HTTP options the app is written against: an https server hands the same
 * http.IncomingMessage and ServerResponse to handlers, but Fastify's overloads would type the whole
 * instance as an https one.
 */
export function serverOptions(config: Config): { http: ServerOptions } {
  if (config.tls) {
    const https: HttpsServerOptions = {
      cert: readPem('TLS_CERT_FILE', config.tls.certFile),
      key: readPem('TLS_KEY_FILE', config.tls.keyFile),
      minVersion: 'TLSv1.2',
      maxHeaderSize: headerSizeMaxBytes,
    };
    return { https } as unknown as { http: ServerOptions };
  }
  return { http: { maxHeaderSize: headerSizeMaxBytes } };
}

/** HSTS wherever the client reached us over TLS: this process's own, or the load balancer's in production. */
export const sendsHsts = (config: Config) => config.tls !== undefined || config.environment === 'production';

export const httpSecurityPlugin = fp(
  async (app: FastifyInstance, options: { config: Config }) => {
    const { config } = options;
    await app.register(helmet, {
      // Set per answer below, so routes with their own policy (login page, /docs) keep it.
      contentSecurityPolicy: false,
      hsts: sendsHsts(config) ? { maxAge: hstsMaxAgeS, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('content-security-policy'))
        reply.header('content-security-policy', apiContentSecurityPolicy);
    });
    const allowed = new Set(config.corsAllowedOrigins);
    await app.register(cors, {
      hook: 'onRequest',
      delegator: (request, callback) => {
        const origin = request.headers.origin;
        const ours = !request.url.startsWith('/oidc') && typeof origin === 'string' && allowed.has(origin);
        callback(null, {
          origin: ours,
          methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
          allowedHeaders: corsAllowedHeaders,
          exposedHeaders: corsExposedHeaders,
          credentials: false,
          maxAge: corsPreflightMaxAgeS,
        });
      },
    });
  },
  { name: 'http-security' },
);
