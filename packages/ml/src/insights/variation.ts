/**
 * How real booking texts differ from the generator's clean ones: card terminals prefix the
 * acquirer (`CRV*`, `SQ *`, `SUMUP *`), add store numbers, city and country, a date, shout in
 * upper case and cut the name at 22 characters (the card network's merchant-name field); transfer
 * references gain a SEPA prefix, a date or a number. Used to train the categoriser on more than a
 * few hundred distinct strings (one seed) and to test it on variants it never saw (another seed).
 */
import type { Channel } from '../interchange/format.ts';
import type { Random } from '../synthetic/random.ts';

const terminalPrefixes = ['', '', '', 'CRV*', 'SQ *', 'SUMUP *', 'ZTL*', 'PAYPAL *', 'VISA ', 'POS ', 'CARD '];
const cities = ['', '', 'BERLIN', 'HAMBURG', 'PARIS', 'MADRID', 'LISBOA', 'WIEN', 'KOELN', 'LYON', 'ROTTERDAM'];
const countries = ['', '', 'DE', 'FR', 'ES', 'NL', 'PT', 'AT', 'GB'];
const transferPrefixes = ['', '', 'SEPA ', 'SEPA CT ', 'Ref: ', 'Transfer ', 'UEBERWEISUNG '];
/** The width of the merchant-name field of a card authorisation (ISO 8583 field 43's name part). */
const terminalNameLength = 22;

function dateText(rng: Random): string {
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const month = String(rng.int(1, 12)).padStart(2, '0');
  return rng.pick([`${day}/${month}`, `${day}.${month}.`, `2026-${month}-${day}`, `${day}${month}`]);
}

function casing(rng: Random, text: string): string {
  const style = rng.int(0, 2);
  return style === 0 ? text.toUpperCase() : style === 1 ? text.toLowerCase() : text;
}

function cardVariant(rng: Random, name: string): string {
  let text = `${rng.pick(terminalPrefixes)}${casing(rng, name)}`;
  if (rng.chance(0.4))
    text += rng.pick([
      ` #${rng.int(1, 9999)}`,
      ` ${String(rng.int(1, 9999)).padStart(4, '0')}`,
      ` FIL.${rng.int(1, 99)}`,
    ]);
  if (rng.chance(0.5)) text = text.slice(0, terminalNameLength);
  const city = rng.pick(cities);
  if (city) text += ` ${city}`;
  const country = rng.pick(countries);
  if (country) text += ` ${country}`;
  if (rng.chance(0.3)) text += ` ${dateText(rng)}`;
  return text;
}

function transferVariant(rng: Random, reference: string): string {
  let text = `${rng.pick(transferPrefixes)}${casing(rng, reference)}`;
  if (rng.chance(0.3)) text += ` ${dateText(rng)}`;
  if (rng.chance(0.2)) text += ` ${rng.int(100000, 999999)}`;
  return text.trim();
}

/** A realistic variant of a booking text, drawn from `rng`. */
export function describeVariant(rng: Random, description: string, channel: Channel): string {
  const varied =
    channel === 'card' || channel === 'atm' || channel === 'direct_debit'
      ? cardVariant(rng, description)
      : transferVariant(rng, description);
  return varied.slice(0, 140);
}
