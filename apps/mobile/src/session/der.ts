/**
 * ECDSA signatures as JWS wants them. Hardware keystores (the Secure Enclave, Android Keystore)
 * answer an ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }`; ES256 (RFC 7518 §3.4) wants the two
 * integers as 32 big-endian bytes each, r‖s. Strict: anything but one well-formed sequence of two
 * positive integers that fit is refused, so a malformed answer never becomes a proof.
 */
export class InvalidSignature extends Error {
  override readonly name = 'InvalidSignature';
}

export function derToP1363(der: Uint8Array, size = 32): Uint8Array {
  let at = 0;
  const byte = () => {
    const value = der[at++];
    if (value === undefined) throw new InvalidSignature('the signature ends early');
    return value;
  };
  const length = () => {
    const first = byte();
    if (first < 0x80) return first;
    // Long form: only one length byte is ever needed for P-256/384/521 signatures.
    if (first !== 0x81) throw new InvalidSignature('the signature has an unsupported length');
    const long = byte();
    if (long < 0x80) throw new InvalidSignature('the signature length is not minimal');
    return long;
  };
  const integer = () => {
    if (byte() !== 0x02) throw new InvalidSignature('expected an INTEGER');
    const n = length();
    if (n === 0 || at + n > der.length) throw new InvalidSignature('the INTEGER does not fit');
    let value = der.subarray(at, at + n);
    at += n;
    if ((value[0] ?? 0) & 0x80) throw new InvalidSignature('the INTEGER is negative');
    if (value.length > 1 && value[0] === 0 && !((value[1] ?? 0) & 0x80)) {
      throw new InvalidSignature('the INTEGER is not minimally encoded');
    }
    if (value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new InvalidSignature('the INTEGER is too large');
    return value;
  };
  if (byte() !== 0x30) throw new InvalidSignature('expected a SEQUENCE');
  const total = length();
  if (at + total !== der.length) throw new InvalidSignature('the SEQUENCE length is wrong');
  const r = integer();
  const s = integer();
  if (at !== der.length) throw new InvalidSignature('bytes after the signature');
  const out = new Uint8Array(size * 2);
  out.set(r, size - r.length);
  out.set(s, size * 2 - s.length);
  return out;
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
