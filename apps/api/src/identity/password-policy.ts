import { passwordContextWordLengthMin, passwordLengthMax, passwordLengthMin } from '../platform/constants.ts';
import type { FieldProblem } from '../platform/errors.ts';

/**
 * NIST SP 800-63B §3.1.1.2 password rules: a length range counted in Unicode code points after NFKC
 * normalization, no composition rules (no "one digit, one symbol"), and a check against values
 * attackers try first: common and breached passwords, the customer's own name and e-mail, and
 * repetitive or sequential characters. Pure functions; the list of common passwords is passed in.
 */
export type PasswordRule = 'too_short' | 'too_long' | 'common' | 'personal_data' | 'repetitive' | 'sequential';

/** A field problem that also names the rule, so an app can point at the right hint. */
export interface PasswordProblem extends FieldProblem {
  readonly rule: PasswordRule;
}

export interface PasswordContext {
  readonly name: string;
  readonly email: string;
}

/** The form passwords are hashed in: NFKC, so the same password typed on any keyboard matches. */
export const normalizePassword = (password: string) => password.normalize('NFKC');

/** The form passwords and words are compared in: NFKC and case-folded. */
export const normalizeForComparison = (text: string) => text.normalize('NFKC').toLowerCase();

const problem = (rule: PasswordRule, detail: string): PasswordProblem => ({ pointer: '/body/password', detail, rule });

/** Fewer distinct characters than this reads as repetitive ("aaaaaaaaaaaa", "abababababab"). */
const distinctCharactersMin = 5;

/** Words a password must not contain: the name, the e-mail's local part, and their parts. */
export function contextWords(context: PasswordContext): string[] {
  const name = normalizeForComparison(context.name);
  const localPart = normalizeForComparison(context.email.split('@')[0] ?? '');
  const words = [name.replace(/\s+/g, ''), localPart, ...name.split(/[\s'’-]+/), ...localPart.split(/[._+-]+/)];
  return [...new Set(words)].filter((word) => [...word].length >= passwordContextWordLengthMin);
}

/** The password with leading and trailing digits, punctuation and spaces removed: "Password2024!" → "password". */
function coreOf(comparable: string): string {
  return comparable.replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
}

function isSequential(comparable: string): boolean {
  const codes = [...comparable].map((c) => c.codePointAt(0) ?? 0);
  const step = (codes[1] ?? 0) - (codes[0] ?? 0);
  if (step !== 1 && step !== -1) return false;
  return codes.every((code, i) => i === 0 || code - (codes[i - 1] ?? 0) === step);
}

function commonPasswordProblem(comparable: string, commonPasswords: ReadonlySet<string>): PasswordProblem | undefined {
  if (commonPasswords.has(comparable)) {
    return problem(
      'common',
      'This password is on a list of common or breached passwords. Choose one nobody else uses.',
    );
  }
  const core = coreOf(comparable);
  if (core !== comparable && [...core].length >= 4 && commonPasswords.has(core)) {
    return problem(
      'common',
      'This is a common password with digits or symbols added, which attackers try first. Choose something less predictable.',
    );
  }
  return undefined;
}

/** Every rule the password breaks; empty when it is acceptable. */
export function passwordProblems(
  password: string,
  context: PasswordContext,
  commonPasswords: ReadonlySet<string>,
): PasswordProblem[] {
  const length = [...normalizePassword(password)].length;
  if (length < passwordLengthMin) {
    return [
      problem(
        'too_short',
        `Use at least ${passwordLengthMin} characters. A few unrelated words make a long password that is easy to remember.`,
      ),
    ];
  }
  if (length > passwordLengthMax) return [problem('too_long', `Use at most ${passwordLengthMax} characters.`)];
  const comparable = normalizeForComparison(password);
  const problems: PasswordProblem[] = [];
  const common = commonPasswordProblem(comparable, commonPasswords);
  if (common) problems.push(common);
  if (contextWords(context).some((word) => comparable.includes(word))) {
    problems.push(problem('personal_data', 'Do not use your name or e-mail address in your password.'));
  }
  if (new Set(comparable).size < distinctCharactersMin) {
    problems.push(problem('repetitive', 'Avoid repeating the same few characters. Mix in more different ones.'));
  } else if (isSequential(comparable)) {
    problems.push(problem('sequential', 'Avoid sequences such as "abcdefgh" or "12345678".'));
  }
  return problems;
}
