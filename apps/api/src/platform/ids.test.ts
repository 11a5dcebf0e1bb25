import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isId, newId } from './ids.ts';

describe('ids', () => {
  it('are prefixed, opaque and sort by creation time', () => {
    const ids = Array.from({ length: 5000 }, () => newId('transfer'));
    for (const id of ids) assert.ok(isId('transfer', id), id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(!isId('account', ids[0] ?? ''));
  });
});
