import fc from 'fast-check';
import type { JsonSchema } from './operations.ts';

/**
 * Values that satisfy a JSON Schema, as fast-check arbitraries. The fuzz test starts every request
 * from such a value and then breaks one or two parts of it, so each hostile input reaches the
 * check it is aimed at instead of stopping at the first missing field. Strings that must match an
 * id pattern are drawn half the time from ids that exist (the caller's own resources), so the
 * handlers behind the validation run too.
 */
export interface ValueContext {
  /** Ids of resources that exist; a pattern-matching one is used half the time. */
  readonly knownIds: readonly string[];
  /** The caller's own ids by kind (`acc` → […]), for deterministic example requests. */
  readonly idsByKind?: Readonly<Record<string, readonly string[]>>;
}

/** Keeps generated strings short unless the schema asks for more: the hostile set brings the long ones. */
const generatedLengthMax = 24;
const generatedItemsMax = 3;

function typesOf(schema: JsonSchema): readonly string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return ['string'];
}

function formatted(format: string): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((email) => email.length <= 254);
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.webUrl();
    default:
      return undefined;
  }
}

/** fc.stringMatching, for the patterns it cannot build (e.g. `\p{Cs}`) through a simpler one, filtered. */
function stringsMatching(pattern: RegExp): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(pattern);
  } catch {
    const simpler = new RegExp(pattern.source.replaceAll('\\p{Cs}', ''), 'u');
    return fc.stringMatching(simpler).filter((text) => pattern.test(text));
  }
}

function stringArbitrary(schema: JsonSchema, context: ValueContext): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  // Patterns and formats bound their own length; only free text is kept short by default.
  const maxLength = schema.maxLength ?? Number.POSITIVE_INFINITY;
  const fitsLength = (text: string) => text.length >= minLength && text.length <= maxLength;
  const byFormat = schema.format ? formatted(schema.format) : undefined;
  if (byFormat) return byFormat.filter(fitsLength);
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    const matching = stringsMatching(pattern).filter(fitsLength);
    const known = context.knownIds.filter((id) => pattern.test(id) && fitsLength(id));
    return known.length > 0 ? fc.oneof(fc.constantFrom(...known), matching) : matching;
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, Math.max(minLength, generatedLengthMax)) });
}

function objectArbitrary(schema: JsonSchema, context: ValueContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property, context)]),
  );
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
}

function valueOfType(type: string, schema: JsonSchema, context: ValueContext): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringArbitrary(schema, context);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1_000_000,
        max: schema.maximum ?? 1_000_000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? validValue(schema.items, context) : fc.string(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? generatedItemsMax, generatedItemsMax)),
      });
    case 'object':
      return objectArbitrary(schema, context);
    default:
      throw new Error(`the fuzz generator does not know JSON Schema type ${type}`);
  }
}

/** An arbitrary of values valid against `schema`. */
export function validValue(schema: JsonSchema, context: ValueContext): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => validValue(alternative, context)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, context);
  return fc.oneof(...typesOf(schema).map((type) => valueOfType(type, schema, context)));
}

/** The id kind (prefix) a string schema's pattern names, e.g. `acc` for `^acc_[0-9a-hjkmnp-tv-z]{26}$`. */
export function idKindOf(schema: JsonSchema | undefined): string | undefined {
  return /^\^([a-z]{3})_/.exec(schema?.pattern ?? '')?.[1];
}

/** True when `pointer` (`/to/accountId`) names a node that `schema` can hold. */
function reaches(schema: JsonSchema, pointer: string): boolean {
  if (pointer === '') return true;
  const [, head = '', rest = ''] = /^\/([^/]*)(.*)$/.exec(pointer) ?? [];
  const alternatives = [schema, ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  return alternatives.some((alternative) => {
    const next = alternative.properties?.[head];
    return next !== undefined && reaches(next, rest);
  });
}

function exampleString(schema: JsonSchema, idsByKind: Readonly<Record<string, readonly string[]>>): string {
  const kind = idKindOf(schema);
  const own = kind ? idsByKind[kind]?.[0] : undefined;
  if (own) return own;
  if (schema.format || schema.pattern) {
    return fc.sample(stringArbitrary(schema, { knownIds: [] }), { seed: 1, numRuns: 1 })[0] ?? '';
  }
  return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}

/**
 * One deterministic valid value for `schema`, as a careful client would send: the schema's own
 * example or default where it gives one, the caller's ids for id fields (`idsByKind`), and
 * `overrides` (by JSON pointer) in place; optional fields appear only when an override needs them.
 */
export function exampleValue(
  schema: JsonSchema,
  idsByKind: Readonly<Record<string, readonly string[]>>,
  overrides: ReadonlyMap<string, unknown> = new Map(),
  at = '',
): unknown {
  if (overrides.has(at)) return overrides.get(at);
  const wanted = [...overrides.keys()].filter((pointer) => pointer.startsWith(`${at}/`));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    const chosen =
      alternatives.find((alternative) => wanted.some((pointer) => reaches(alternative, pointer.slice(at.length)))) ??
      alternatives[0];
    return chosen ? exampleValue(chosen, idsByKind, overrides, at) : null;
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  const type = typesOf(schema).find((candidate) => candidate !== 'null') ?? 'null';
  if (type === 'object') {
    const all = Object.entries(schema.properties ?? {});
    const needed = all.filter(
      ([name]) => schema.required?.includes(name) || wanted.some((pointer) => pointer.startsWith(`${at}/${name}`)),
    );
    // An update that must change something (minProperties) gets its first fields.
    const properties = needed.length >= (schema.minProperties ?? 0) ? needed : all.slice(0, schema.minProperties);
    return Object.fromEntries(
      properties.map(([name, property]) => [name, exampleValue(property, idsByKind, overrides, `${at}/${name}`)]),
    );
  }
  if (type === 'array') {
    return Array.from({ length: schema.minItems ?? 0 }, (_, index) =>
      exampleValue(schema.items ?? {}, idsByKind, overrides, `${at}/${index}`),
    );
  }
  if (type === 'string') return exampleString(schema, idsByKind);
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return false;
  return null;
}
