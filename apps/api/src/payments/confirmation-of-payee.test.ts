import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirmPayeeName, nameTokens } from './confirmation-of-payee.ts';

describe('confirmation of payee', () => {
  it('matches the same name whatever the case, accents, punctuation, titles or word order', () => {
    assert.equal(confirmPayeeName('jane doe', 'Jane Doe'), 'match');
    assert.equal(confirmPayeeName('Dr. José Núñez', 'Jose Nunez'), 'match');
    assert.equal(confirmPayeeName('Doe, Jane', 'Jane Doe'), 'match');
    assert.equal(confirmPayeeName("Mr O'Neil  Sean", 'Sean O Neil'), 'match');
  });

  it('calls a typo or initials for the given names a close match', () => {
    assert.equal(confirmPayeeName('Jane Dow', 'Jane Doe'), 'close_match');
    assert.equal(confirmPayeeName('J Doe', 'Jane Doe'), 'close_match');
    assert.equal(confirmPayeeName('J. A. Doe', 'Jane Anne Doe'), 'close_match');
    assert.equal(confirmPayeeName('Jonathan Smyth', 'Jonathan Smith'), 'close_match');
  });

  it('answers no match for another person, another surname or an empty name', () => {
    assert.equal(confirmPayeeName('John Smith', 'Jane Doe'), 'no_match');
    assert.equal(confirmPayeeName('Jane Smith', 'Jane Doe'), 'no_match');
    assert.equal(confirmPayeeName('K Doe', 'Jane Doe'), 'no_match');
    assert.equal(confirmPayeeName('Doe', 'Jane Doe'), 'no_match');
    assert.equal(confirmPayeeName('Mr.', 'Jane Doe'), 'no_match');
  });

  it('normalises names into comparable tokens', () => {
    assert.deepEqual(nameTokens('  Dr. Zoë   Ångström-Lee '), ['zoe', 'angstrom', 'lee']);
  });
});
