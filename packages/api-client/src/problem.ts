/**
 * RFC 9457 problem+json as one typed error. Every non-2xx answer the client sees becomes an
 * ApiProblem, so a screen handles one shape: `detail` to show, `errors[]` to put next to fields,
 * `code` to branch on, and `stepUp` when the customer must approve with a passkey.
 */
export interface FieldProblem {
  /** JSON pointer into the request, e.g. "/body/amount". */
  readonly pointer: string;
  readonly detail: string;
}

/** The challenge of a `403 step_up_required` answer (docs/api/authentication.md, "Step-up"). */
export interface StepUpChallenge {
  readonly challengeId: string;
  readonly purpose: string;
  readonly expiresAt: string;
  /** WebAuthn request options: pass to navigator.credentials.get() or the native passkey API. */
  readonly publicKey: Readonly<Record<string, unknown>>;
}

export class ApiProblem extends Error {
  readonly status: number;
  /** The stable machine code, e.g. `insufficient_funds`; `http_<status>` when the body had none. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldProblem[];
  readonly stepUp: StepUpChallenge | undefined;
  /** Seconds the server asked to wait (429, 503), when it said. */
  readonly retryAfterS: number | undefined;
  readonly traceId: string | undefined;

  constructor(status: number, body: Readonly<Record<string, unknown>>, retryAfterS?: number) {
    const detail = typeof body.detail === 'string' ? body.detail : `The server answered HTTP ${status}.`;
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = stringOr(body.code, stringOr(body.error, `http_${status}`));
    this.title = stringOr(body.title, `HTTP ${status}`);
    this.detail = detail;
    this.errors = Array.isArray(body.errors) ? body.errors.filter(isFieldProblem) : [];
    this.stepUp = isStepUp(body.stepUp) ? body.stepUp : undefined;
    this.retryAfterS = retryAfterS;
    this.traceId = typeof body.traceId === 'string' ? body.traceId : undefined;
  }

  /** The problems reported for one field, e.g. `problem.errorsAt('/body/amount')`. */
  errorsAt(pointer: string): readonly FieldProblem[] {
    return this.errors.filter((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`));
  }
}

const stringOr = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value : fallback);

function isFieldProblem(value: unknown): value is FieldProblem {
  const v = value as FieldProblem | null;
  return typeof v === 'object' && v !== null && typeof v.pointer === 'string' && typeof v.detail === 'string';
}

function isStepUp(value: unknown): value is StepUpChallenge {
  const v = value as StepUpChallenge | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.challengeId === 'string' &&
    typeof v.publicKey === 'object' &&
    v.publicKey !== null
  );
}

/** Seconds of a `Retry-After` header (delta-seconds or an HTTP date), if any. */
export function retryAfterSOf(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The ApiProblem of a non-2xx answer: its problem+json (or OAuth error JSON), else a generic one. */
export async function problemOf(response: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.clone().json();
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the generic problem below says what status came back.
  }
  if (typeof body.error_description === 'string' && body.detail === undefined) body.detail = body.error_description;
  return new ApiProblem(response.status, body, retryAfterSOf(response.headers));
}
