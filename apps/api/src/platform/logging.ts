import type { FastifyRequest } from 'fastify';

/**
 * Structured JSON logs (pino) with the request id on every line. Secrets and personal data never
 * reach a log: credentials headers are redacted, query values are replaced unless their name is on
 * an allowlist, bodies are never logged, and errors keep only their type, code, message and stack.
 */
const safeQueryParams = new Set(['limit', 'cursor', 'status', 'direction', 'from', 'to', 'accountId', 'ui_locales']);

/**
 * An IBAN-shaped run inside free text, compact or in print groups of four: error messages and URLs
 * can carry one a client sent.
 */
const ibanInText = /\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b/gi;

/** Masks every IBAN-looking run but its country and last four characters, as the API shows them. */
export function maskIbansInText(text: string): string {
  return text.replace(ibanInText, (match) => {
    const compact = match.replace(/ /g, '');
    return `${compact.slice(0, 2)}**…${compact.slice(-4)}`;
  });
}

export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return maskIbansInText(url);
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const parts: string[] = [];
  for (const [name, value] of params) {
    parts.push(`${encodeURIComponent(name)}=${safeQueryParams.has(name) ? encodeURIComponent(value) : '[redacted]'}`);
  }
  return `${maskIbansInText(url.slice(0, queryStart))}?${parts.join('&')}`;
}

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const logSerializers = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      remoteAddress: request.ip,
      userAgent: request.headers['user-agent'],
    };
  },
  res(reply: { statusCode: number }) {
    return { statusCode: reply.statusCode };
  },
  err(error: Error & { code?: unknown; statusCode?: unknown }) {
    // Driver errors carry `detail`, `parameters` or `where` with row values: never serialize them.
    return {
      type: error.name,
      code: typeof error.code === 'string' ? error.code : undefined,
      message: maskIbansInText(error.message),
      stack: maskIbansInText(error.stack ?? ''),
    };
  },
};
