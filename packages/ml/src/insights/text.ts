/**
 * The categoriser's input: a booking text turned into hashed features, the same way in training
 * and serving. Words and the character n-grams of each word (with its boundaries) are hashed into
 * a fixed number of buckets (the hashing trick: no vocabulary to ship, any new word still lands
 * somewhere), plus two tokens the booking always has: its channel and its direction. Digits are
 * dropped — store numbers, dates and references say nothing of the category — and accents folded,
 * so `CRV*FRESHMART BERLIN 0423` and `FreshMart Berlin` share most features.
 */
import type { Channel } from '../interchange/format.ts';
import { maxDescriptionLength, textHashBuckets, textNgramLengths } from './constants.ts';

export interface TextInput {
  readonly description: string;
  readonly channel: Channel;
  /** Money in (positive amount) or out. */
  readonly moneyIn: boolean;
}

/** Lower case, accents folded, digits and punctuation gone, words separated by one space. */
export function normaliseText(text: string): string {
  return text
    .slice(0, maxDescriptionLength)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** FNV-1a, 32 bits: fast, stable across machines, good enough to spread tokens over buckets. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The tokens of an input, before hashing (exported for tests and the documentation). */
export function textTokens(input: TextInput): string[] {
  const tokens = [`#channel:${input.channel}`, input.moneyIn ? '#in' : '#out'];
  const words = normaliseText(input.description).split(' ').filter(Boolean);
  if (words.length === 0) tokens.push('#empty');
  for (const word of words) {
    tokens.push(`w:${word}`);
    const padded = `<${word}>`;
    for (const n of textNgramLengths) {
      for (let i = 0; i + n <= padded.length; i++) tokens.push(padded.slice(i, i + n));
    }
  }
  return tokens;
}

/**
 * The feature vector of an input, `buckets` long: token counts per bucket, scaled to unit length
 * (a long text does not shout louder than a short one).
 */
export function textFeatures(
  input: TextInput,
  buckets = textHashBuckets,
  out: Float64Array = new Float64Array(buckets),
): Float64Array {
  out.fill(0);
  for (const token of textTokens(input)) {
    const b = fnv1a(token) % buckets;
    out[b] = (out[b] as number) + 1;
  }
  let squares = 0;
  for (const x of out) squares += x * x;
  const norm = Math.sqrt(squares);
  for (let i = 0; i < buckets; i++) out[i] = (out[i] as number) / norm;
  return out;
}
