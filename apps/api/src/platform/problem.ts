import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { bodyLimitBytes } from './constants.ts';
import { DomainError, type FieldProblem } from './errors.ts';

/**
 * The one place errors become RFC 9457 application/problem+json. Every body carries `type`,
 * `title`, `status`, `detail`, a stable `code`, `traceId` and, for field problems, `errors[]`.
 * 5xx bodies never carry the internal message.
 */
/** What a problem says; `type` and `traceId` are added when it is sent. */
export interface Problem {
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  /** Extra members (RFC 9457 extensions); never personal data. */
  extensions?: Readonly<Record<string, unknown>>;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const fastifyCodes: Record<string, { status: number; code: string; title: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    title: 'Bad request',
    detail: 'The request body is not valid JSON. Check for a missing quote, comma or brace.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    title: 'Bad request',
    detail: 'The request body is empty but declared as JSON. Send a JSON document or drop the Content-Type header.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_content_length',
    title: 'Bad request',
    detail: 'The Content-Length header does not match the body. Resend the request.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'body_too_large',
    title: 'Content too large',
    detail: `The request body is too large. Send a smaller body (${bodyLimitBytes / 1024} KiB at most).`,
  },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 400,
    code: 'bad_content_type',
    title: 'Bad request',
    detail: 'The Content-Type header is malformed. Use application/json.',
  },
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'bad_url',
    title: 'Bad request',
    detail: 'The request URL is malformed. Check its percent-encoding.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    title: 'URI too long',
    detail: 'A path segment of the URL is too long. Check the id in the path.',
  },
  FST_ERR_ASYNC_CONSTRAINT: {
    status: 400,
    code: 'bad_request',
    title: 'Bad request',
    detail: 'The request could not be routed. Check the URL and headers.',
  },
};

/** Fastify names the parts of a request `body`, `querystring`, `params` and `headers`; pointers say `query`. */
const pointerRoots: Readonly<Record<string, string>> = { querystring: 'query' };

function fieldProblems(context: string | undefined, issues: readonly AjvIssue[]): FieldProblem[] {
  const part = context ?? 'body';
  const base = `/${pointerRoots[part] ?? part}`;
  return issues.map((issue) => {
    if (issue.keyword === 'required') {
      return { pointer: `${base}${issue.instancePath}/${String(issue.params.missingProperty)}`, detail: 'is required' };
    }
    if (issue.keyword === 'additionalProperties') {
      return {
        pointer: `${base}${issue.instancePath}/${String(issue.params.additionalProperty)}`,
        detail: 'is not a recognised field; remove it',
      };
    }
    return { pointer: `${base}${issue.instancePath}`, detail: issue.message ?? 'is invalid' };
  });
}

function traceIdOf(request: FastifyRequest): string {
  return String(request.id);
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply {
  const { extensions, errors, ...core } = problem;
  const body = {
    type: `/problems/${problem.code}`,
    ...extensions,
    ...core,
    ...(errors && errors.length > 0 ? { errors } : {}),
    traceId: traceIdOf(reply.request),
  };
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(body);
}

export function problemFromError(error: unknown): {
  problem: Problem;
  headers: Readonly<Record<string, string>>;
  unexpected: boolean;
} {
  if (error instanceof DomainError) {
    const problem: Problem = {
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      errors: [...error.errors],
      extensions: error.extensions,
    };
    return { problem, headers: error.headers, unexpected: false };
  }
  const fastifyError = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fastifyError.validation) {
    return {
      problem: {
        title: 'Bad request',
        status: 400,
        code: 'validation_failed',
        detail: 'Some fields are missing or invalid. Fix the fields listed in errors and try again.',
        errors: fieldProblems(fastifyError.validationContext, fastifyError.validation),
      },
      headers: {},
      unexpected: false,
    };
  }
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (known) return { problem: { ...known }, headers: {}, unexpected: false };
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return {
      problem: {
        title: 'Bad request',
        status,
        code: 'bad_request',
        detail: 'The request could not be processed. Check it against the API documentation.',
      },
      headers: {},
      unexpected: false,
    };
  }
  return {
    problem: {
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
      detail:
        'Something went wrong on our side. Please try again; if it keeps failing, contact support with the traceId.',
    },
    headers: {},
    unexpected: true,
  };
}

/** Node's parser errors before a request exists (platform: `clientErrorHandler`), by Node's error code. */
const clientErrors: Readonly<Record<string, Problem>> = {
  HPE_HEADER_OVERFLOW: {
    title: 'Request header fields too large',
    status: 431,
    code: 'request_header_too_large',
    detail: 'The request line and headers are larger than 16 KiB. Send fewer or shorter headers (cookies, tokens).',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    title: 'Request timeout',
    status: 408,
    code: 'request_timeout',
    detail: 'The request did not arrive in time. Check your connection and send it again.',
  },
};

const malformedRequest: Problem = {
  title: 'Bad request',
  status: 400,
  code: 'malformed_request',
  detail: 'The request is not valid HTTP/1.1 (request line, header or chunk syntax). Send a well-formed request.',
};

/**
 * The raw HTTP answer to a request Node's parser refused (too large a head, a timeout, bad syntax):
 * there is no Fastify request or reply yet, so this writes the problem+json response itself and
 * closes the connection, as Node's own handler does. The trace id is fresh: no request id exists.
 */
export function clientErrorResponse(error: { code?: string }, traceId: string): string {
  const problem = clientErrors[error.code ?? ''] ?? malformedRequest;
  const body = JSON.stringify({ type: `/problems/${problem.code}`, ...problem, traceId });
  return [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
