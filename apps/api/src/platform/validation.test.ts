import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isCalendarDate, parseInstant, validatorCompiler } from './validation.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const plainFormats = addFormats(new Ajv());

const compile = (format: string) =>
  validatorCompiler({ schema: { type: 'string', format }, httpPart: 'querystring', url: '/', method: 'GET' }) as (
    value: string,
  ) => boolean;

describe('the formats the schemas check and the parsers the code uses', () => {
  const instants = [
    '2026-12-31T23:59:59Z',
    '2026-12-31T23:59:60Z',
    '2026-06-30T23:59:60.999Z',
    '2026-12-31T20:59:60-03:00',
    '2024-01-01T00:00:00+05',
    '2024-01-01T00:00:00+0530',
    '2024-01-01t00:00:00z',
    '2024-01-01 00:00:00Z',
    '2024-02-29T12:00:00.123456789+01:00',
    '2023-02-29T12:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00+24:00',
  ];

  it('accept a date-time exactly when parseInstant can turn it into a Date', () => {
    const dateTime = compile('date-time');
    for (const text of instants) {
      const parsed = parseInstant(text);
      assert.equal(dateTime(text), parsed !== undefined, text);
      if (parsed) assert.ok(!Number.isNaN(parsed.getTime()) && parsed.toISOString().length > 0, text);
    }
    // The gap this closes (issue 12, defect 6): ajv-formats alone accepts a leap second Date cannot parse.
    assert.equal(plainFormats.validate({ type: 'string', format: 'date-time' }, '2026-12-31T23:59:60Z'), true);
    assert.equal(Number.isNaN(Date.parse('2026-12-31T23:59:60Z')), true);
    assert.equal(dateTime('2026-12-31T23:59:60Z'), false);
  });

  it('accept a date exactly when it is a real day of the years 0001-9999', () => {
    const date = compile('date');
    for (const [text, real] of [
      ['2024-02-29', true],
      ['2023-02-29', false],
      ['0000-01-01', false],
      ['0001-01-01', true],
      ['9999-12-31', true],
      ['2024-1-01', false],
      ['2024-04-31', false],
    ] as const) {
      assert.equal(isCalendarDate(text), real, text);
      assert.equal(date(text), real, text);
    }
  });
});
