import { randomInt } from 'node:crypto';
import { ConfigError } from '../platform/config.ts';

/**
 * IBANs (ISO 13616): country code, two mod-97 check digits, then the country's BBAN. We issue
 * IBANs for one configured country and bank code, with a random account-number part (never a
 * sequence a client could enumerate) and the national check digits the country's format demands.
 */

/** IBAN length per country (SWIFT IBAN registry). Inputs from other countries are refused. */
// biome-ignore format: a table reads better dense
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** Remainder of the IBAN's numeric form modulo 97 (letters A=10 … Z=35), digit by digit so no number overflows. */
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = char >= 'A' ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder;
}

/** ISO 13616 check digits for a country's BBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(`${bban}${country}00`)).padStart(2, '0');
}

export type IbanProblem = 'charset' | 'country' | 'length' | 'checksum';

/** Normalises (spaces out, upper case) and checks charset, country length and mod-97. */
export function validateIban(input: string): { ok: true; iban: string } | { ok: false; problem: IbanProblem } {
  const iban = input.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban)) return { ok: false, problem: 'charset' };
  const length = ibanLengths[iban.slice(0, 2)];
  if (length === undefined) return { ok: false, problem: 'country' };
  if (iban.length !== length) return { ok: false, problem: 'length' };
  if (mod97(`${iban.slice(4)}${iban.slice(0, 4)}`) !== 1) return { ok: false, problem: 'checksum' };
  return { ok: true, iban };
}

// ---- National check digits -------------------------------------------------------------------

/** France: RIB key over bank, branch and account (letters map to digits per the RIB table). */
export function frenchRibKey(bank: string, branch: string, account: string): string {
  const digits = account.replace(/[A-Z]/g, (c) => String(((c.charCodeAt(0) - 65 + (c >= 'S' ? 1 : 0)) % 9) + 1));
  const sum = (89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(digits)) % 97n;
  return String(97n - sum).padStart(2, '0');
}

function spanishDigit(digits: string): number {
  const weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
  const sum = [...digits.padStart(10, '0')].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0);
  const digit = 11 - (sum % 11);
  return digit === 11 ? 0 : digit === 10 ? 1 : digit;
}

/** Spain: the two "dígitos de control", over bank+branch and over the account number. */
export function spanishControlDigits(bankAndBranch: string, account: string): string {
  return `${spanishDigit(bankAndBranch)}${spanishDigit(account)}`;
}

const italianOdd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italy: the CIN letter over ABI, CAB and account. */
export function italianCin(abiCabAccount: string): string {
  let sum = 0;
  [...abiCabAccount].forEach((char, i) => {
    const value = char >= 'A' ? char.charCodeAt(0) - 65 : Number(char);
    sum += i % 2 === 0 ? (italianOdd[value] ?? 0) : value;
  });
  return String.fromCharCode(65 + (sum % 26));
}

/** Belgium: the national account number's last two digits are its first ten modulo 97 (0 → 97). */
export function belgianCheck(bankAndAccount: string): string {
  const remainder = Number(BigInt(bankAndAccount) % 97n);
  return String(remainder === 0 ? 97 : remainder).padStart(2, '0');
}

// ---- Issuing ---------------------------------------------------------------------------------

interface BbanFormat {
  /** What the configured bank code must look like, said to the operator when it does not. */
  readonly bankCode: RegExp;
  readonly bankCodeRule: string;
  /** Digits of the random account-number part. */
  readonly accountDigits: number;
  readonly bban: (bankCode: string, account: string) => string;
}

const digitsOnly = (n: number) => new RegExp(`^[0-9]{${n}}$`);

const bbanFormats: Readonly<Record<string, BbanFormat>> = {
  DE: { bankCode: digitsOnly(8), bankCodeRule: '8 digits (Bankleitzahl)', accountDigits: 10, bban: (b, a) => b + a },
  AT: { bankCode: digitsOnly(5), bankCodeRule: '5 digits', accountDigits: 11, bban: (b, a) => b + a },
  NL: { bankCode: /^[A-Z]{4}$/, bankCodeRule: '4 letters', accountDigits: 10, bban: (b, a) => b + a },
  GB: {
    bankCode: /^[A-Z]{4}[0-9]{6}$/,
    bankCodeRule: '4 letters and a 6-digit sort code',
    accountDigits: 8,
    bban: (b, a) => b + a,
  },
  FR: {
    bankCode: digitsOnly(10),
    bankCodeRule: '10 digits (bank and branch codes)',
    accountDigits: 11,
    bban: (b, a) => `${b}${a}${frenchRibKey(b.slice(0, 5), b.slice(5), a)}`,
  },
  ES: {
    bankCode: digitsOnly(8),
    bankCodeRule: '8 digits (bank and branch codes)',
    accountDigits: 10,
    bban: (b, a) => `${b}${spanishControlDigits(b, a)}${a}`,
  },
  IT: {
    bankCode: digitsOnly(10),
    bankCodeRule: '10 digits (ABI and CAB)',
    accountDigits: 12,
    bban: (b, a) => `${italianCin(b + a)}${b}${a}`,
  },
  BE: {
    bankCode: digitsOnly(3),
    bankCodeRule: '3 digits',
    accountDigits: 7,
    bban: (b, a) => `${b}${a}${belgianCheck(b + a)}`,
  },
  CH: { bankCode: digitsOnly(5), bankCodeRule: '5 digits (IID)', accountDigits: 12, bban: (b, a) => b + a },
  LT: { bankCode: digitsOnly(5), bankCodeRule: '5 digits', accountDigits: 11, bban: (b, a) => b + a },
};

export const supportedIbanCountries = Object.keys(bbanFormats);

/**
 * Returns a function drawing fresh IBANs for the configured country and bank code, or throws a
 * ConfigError naming the setting when the bank does not support that country or the code is malformed.
 */
export function createIbanIssuer(country: string, bankCode: string): () => string {
  const format = bbanFormats[country];
  if (!format) {
    throw new ConfigError('IBAN_COUNTRY', `must be one of ${supportedIbanCountries.join(', ')}, got "${country}"`);
  }
  if (!format.bankCode.test(bankCode)) {
    throw new ConfigError('IBAN_BANK_CODE', `must be ${format.bankCodeRule} for ${country}, got "${bankCode}"`);
  }
  return () => {
    const account = Array.from({ length: format.accountDigits }, () => randomInt(10)).join('');
    const bban = format.bban(bankCode, account);
    return `${country}${ibanCheckDigits(country, bban)}${bban}`;
  };
}
