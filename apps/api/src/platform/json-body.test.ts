import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepth } from './json-body.ts';
import { redactUrl } from './logging.ts';

describe('JSON depth scan', () => {
  it('counts nesting and ignores brackets inside strings', () => {
    assert.equal(jsonDepth('{"a":[1,{"b":2}]}'), 3);
    assert.equal(jsonDepth('{"a":"[[[[{{{{\\"]]"}'), 1);
    assert.equal(jsonDepth('"plain"'), 0);
  });
});

describe('log URL redaction', () => {
  it('keeps allowlisted query values and hides the rest', () => {
    assert.equal(
      redactUrl('/api/v1/transactions?limit=10&q=rent&iban=DE89370400440532013000'),
      '/api/v1/transactions?limit=10&q=[redacted]&iban=[redacted]',
    );
    assert.equal(redactUrl('/healthz'), '/healthz');
  });
});
