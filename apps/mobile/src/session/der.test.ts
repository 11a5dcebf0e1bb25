import { createSign, generateKeyPairSync, verify } from 'node:crypto';
import { base64ToBytes, derToP1363, InvalidSignature } from './der';

describe('derToP1363', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('turns keystore DER signatures into the r‖s form that verifies as ES256', () => {
    // Many messages: some r or s have a leading zero byte or are shorter than 32 bytes.
    for (let i = 0; i < 200; i++) {
      const message = Buffer.from(`header.payload-${i}`);
      const der = createSign('SHA256').update(message).sign(privateKey);
      const raw = derToP1363(base64ToBytes(der.toString('base64')));
      expect(raw).toHaveLength(64);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
  });

  it('pads short integers on the left', () => {
    const der = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]);
    const raw = derToP1363(der);
    expect(raw[31]).toBe(5);
    expect(raw[63]).toBe(7);
    expect(raw.slice(0, 31).every((b) => b === 0)).toBe(true);
  });

  it.each([
    ['empty', []],
    ['not a sequence', [0x31, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]],
    ['wrong total length', [0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]],
    ['negative integer', [0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07]],
    ['non-minimal integer', [0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07]],
    ['trailing bytes', [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00]],
    ['integer too large', [0x30, 0x25, 0x02, 0x21, 0x01, ...new Array(32).fill(1), 0x02, 0x01, 0x07]],
  ])('refuses %s', (_name, bytes) => {
    expect(() => derToP1363(Uint8Array.from(bytes as number[]))).toThrow(InvalidSignature);
  });
});
