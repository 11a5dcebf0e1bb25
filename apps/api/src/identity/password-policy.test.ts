import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonPasswords } from './common-passwords.ts';
import { contextWords, passwordProblems } from './password-policy.ts';

const ada = { name: 'Ada Lovelace', email: 'countess.ada@example.com' };
const rulesOf = (password: string, context = ada) =>
  passwordProblems(password, context, commonPasswords()).map((p) => p.rule);

describe('password policy (NIST SP 800-63B)', () => {
  it('ships a list of at least 10,000 common passwords', () => {
    assert.ok(commonPasswords().size >= 10_000, `only ${commonPasswords().size} entries`);
    assert.ok(commonPasswords().has('password'));
    assert.ok(commonPasswords().has('qwertyuiop12'));
  });

  it('accepts long passphrases and any characters, with no composition rules', () => {
    assert.deepEqual(rulesOf('correct horse battery staple'), []);
    assert.deepEqual(rulesOf('zebra lantern quietly'), []);
    assert.deepEqual(rulesOf('мой пароль очень длинный'), []);
    assert.deepEqual(rulesOf('tulpen🌷blühen🌷im🌷mai'), []);
  });

  it('counts length in code points after NFKC normalization, from 12 to 128', () => {
    assert.deepEqual(rulesOf('Kx9#mQ2vLp4z'), []);
    assert.deepEqual(rulesOf('Kx9#mQ2vLp4'), ['too_short']);
    // Eleven code points that are 22 UTF-16 units: still too short.
    assert.deepEqual(rulesOf('🌷🌵🌲🌳🌴🌸🌹🌺🌻🌼🍀'), ['too_short']);
    const longest = 'abcdefghjkmnpqrstuvwxyz23456789'.repeat(5).slice(0, 128);
    assert.deepEqual(rulesOf(longest), []);
    assert.deepEqual(rulesOf(`${longest}x`), ['too_long']);
  });

  it('refuses common and breached passwords, also when only case or padding differs', () => {
    assert.deepEqual(rulesOf('qwertyuiop12'), ['common']);
    assert.deepEqual(rulesOf('QwertyUIOP12'), ['common']);
    assert.deepEqual(rulesOf('Password2024!!'), ['common']);
    assert.deepEqual(rulesOf('!!!sunshine!!!2024'), ['common']);
  });

  it('refuses passwords that contain the name or the e-mail local part, in any case', () => {
    assert.deepEqual(rulesOf('my name is LOVELACE 1815'), ['personal_data']);
    assert.deepEqual(rulesOf('ada lovelace the first'), ['personal_data']);
    assert.deepEqual(rulesOf('the countess of numbers'), ['personal_data']);
    // Compatibility characters normalize to the same word (NFKC): fullwidth letters.
    assert.deepEqual(rulesOf('ｌｏｖｅｌａｃｅ-rules-9'), ['personal_data']);
  });

  it('ignores name and e-mail parts too short to matter', () => {
    assert.deepEqual(contextWords({ name: 'Al Bo', email: 'ab@example.com' }), ['albo']);
    assert.deepEqual(rulesOf('a bold brown fox', { name: 'Al Bo', email: 'ab@example.com' }), []);
  });

  it('refuses repetitive and sequential passwords', () => {
    assert.deepEqual(rulesOf('mmmmmnnnnnmmmmmnnnnn'), ['repetitive']);
    assert.deepEqual(rulesOf('xyzwxyzwxyzwxyzw'), ['repetitive']);
    assert.deepEqual(rulesOf('defghijklmnopqr'), ['sequential']);
  });

  it('names the field and explains each problem', () => {
    const [problem] = passwordProblems('qwertyuiop12', ada, commonPasswords());
    assert.equal(problem?.pointer, '/body/password');
    assert.match(problem?.detail ?? '', /common or breached/);
  });
});
