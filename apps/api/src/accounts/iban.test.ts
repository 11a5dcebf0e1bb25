import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../platform/config.ts';
import { maskIban } from '../platform/masking.ts';
import {
  belgianCheck,
  createIbanIssuer,
  frenchRibKey,
  italianCin,
  spanishControlDigits,
  supportedIbanCountries,
  validateIban,
} from './iban.ts';

// Example IBANs published in the SWIFT IBAN registry and national bank documentation.
const published = [
  'DE89 3704 0044 0532 0130 00',
  'AT61 1904 3002 3457 3201',
  'NL91 ABNA 0417 1643 00',
  'GB29 NWBK 6016 1331 9268 19',
  'FR14 2004 1010 0505 0001 3M02 606',
  'ES91 2100 0418 4502 0005 1332',
  'IT60 X054 2811 1010 0000 0123 456',
  'BE68 5390 0754 7034',
  'CH93 0076 2011 6238 5295 7',
  'LT12 1000 0111 0100 1000',
  'NO93 8601 1117 947',
  'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
];

describe('IBAN', () => {
  it('accepts published example IBANs, with or without spaces and in any case', () => {
    for (const example of published) {
      const result = validateIban(example);
      assert.deepEqual(result, { ok: true, iban: example.replace(/ /g, '') }, example);
      assert.equal(validateIban(example.toLowerCase()).ok, true, example);
    }
  });

  it('refuses a wrong check digit, a wrong length, an unknown country and stray characters', () => {
    assert.deepEqual(validateIban('DE88370400440532013000'), { ok: false, problem: 'checksum' });
    assert.deepEqual(validateIban('DE8937040044053201300'), { ok: false, problem: 'length' });
    assert.deepEqual(validateIban('ZZ8937040044053201300'), { ok: false, problem: 'country' });
    assert.deepEqual(validateIban('DE89-3704-0044-0532-0130-00'), { ok: false, problem: 'charset' });
    assert.deepEqual(validateIban(''), { ok: false, problem: 'charset' });
  });

  it('catches every single-character typo in a valid IBAN', () => {
    const iban = 'DE89370400440532013000';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: iban.length - 1 }), fc.integer({ min: 1, max: 9 }), (at, shift) => {
        const char = iban[at] ?? '0';
        if (!/[0-9]/.test(char)) return;
        const typo = `${iban.slice(0, at)}${(Number(char) + shift) % 10}${iban.slice(at + 1)}`;
        assert.equal(validateIban(typo).ok, false, typo);
      }),
    );
  });

  it('computes the national check digits of the published examples', () => {
    assert.equal(frenchRibKey('20041', '01005', '0500013M026'), '06');
    assert.equal(spanishControlDigits('21000418', '0200051332'), '45');
    assert.equal(italianCin('0542811101000000123456'), 'X');
    assert.equal(belgianCheck('5390075470'), '34');
  });

  it('issues valid, random IBANs for every supported country', () => {
    const bankCodes: Record<string, string> = {
      DE: '50010517',
      AT: '19043',
      NL: 'ABNA',
      GB: 'NWBK601613',
      FR: '2004101005',
      ES: '21000418',
      IT: '0542811101',
      BE: '539',
      CH: '00762',
      LT: '10000',
    };
    for (const country of supportedIbanCountries) {
      const issue = createIbanIssuer(country, bankCodes[country] ?? '');
      const issued = new Set<string>();
      for (let i = 0; i < 50; i += 1) {
        const iban = issue();
        assert.equal(validateIban(iban).ok, true, iban);
        assert.ok(iban.startsWith(country));
        issued.add(iban);
      }
      assert.ok(issued.size >= 49, `${country} IBANs are drawn at random`);
    }
    const fr = createIbanIssuer('FR', '2004101005')();
    assert.equal(fr.slice(-2), frenchRibKey('20041', '01005', fr.slice(14, 25)));
    const es = createIbanIssuer('ES', '21000418')();
    assert.equal(es.slice(12, 14), spanishControlDigits('21000418', es.slice(14)));
  });

  it('names the setting when the country or bank code is not supported', () => {
    assert.throws(
      () => createIbanIssuer('US', '123'),
      (e) => e instanceof ConfigError && /IBAN_COUNTRY/.test(e.message),
    );
    assert.throws(
      () => createIbanIssuer('DE', 'ABC'),
      (e) => e instanceof ConfigError && /IBAN_BANK_CODE must be 8 digits/.test(e.message),
    );
  });

  it('masks all but the country and the last four characters', () => {
    assert.equal(maskIban('DE89370400440532013000'), 'DE** **** **** **** **30 00');
    assert.equal(maskIban('BE68539007547034'), 'BE** **** **** 7034');
  });
});
