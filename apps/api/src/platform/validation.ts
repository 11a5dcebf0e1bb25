import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Bodies are validated strictly: no type coercion (the string "12" is not the number 12, and a
 * number is not an amount string), no silently dropped fields. Query strings, params and headers
 * arrive as text, so they are coerced to the schema's types.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  // Fastify and @fastify/swagger annotate schemas with these keywords.
  keywords: ['example', 'x-nextgen'],
};

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD naming a real day of the years 0001-9999 (what PostgreSQL's `date` and JS agree on). */
export function isCalendarDate(text: string): boolean {
  const [, year, month, day] = calendarDatePattern.exec(text)?.map(Number) ?? [];
  if (year === undefined || month === undefined || day === undefined) return false;
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

const instantPattern = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * An RFC 3339 date-time as a Date, or undefined for anything a Date cannot represent exactly: a
 * leap second (23:59:60), an impossible day (February 30, which Date.parse silently rolls over),
 * an offset without minutes. The `date-time` format of every schema is this function, so a value
 * the schema accepts always parses (issue 12, defect 6: the format and the parser were different).
 */
export function parseInstant(text: string): Date | undefined {
  const match = instantPattern.exec(text);
  if (!match) return undefined;
  const [, date = '', hour, minute, second, offsetHours = '00', offsetMinutes = '00'] = match;
  if (!isCalendarDate(date) && !/^0000-/.test(date)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const time = Date.parse(text.toUpperCase());
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The formats whose values the code parses are defined by the parser itself, never by ajv-formats alone. */
function withParsedFormats(ajv: Ajv): Ajv {
  ajv.addFormat('date-time', (text: string) => parseInstant(text) !== undefined);
  ajv.addFormat('date', isCalendarDate);
  return ajv;
}

const bodyAjv = withParsedFormats(addFormats(new Ajv({ ...shared, coerceTypes: false })));
const textAjv = withParsedFormats(addFormats(new Ajv({ ...shared, coerceTypes: 'array' })));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
