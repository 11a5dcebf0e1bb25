/**
 * The profile form as text fields, and the PATCH body it means: only what changed, since fields
 * left out stay as they are and changing the e-mail or phone costs the customer a fresh sign-in.
 */
import type { Profile, ProfileChanges } from '../../queries/profile';

export interface ProfileDraft {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly line1: string;
  readonly line2: string;
  readonly postalCode: string;
  readonly city: string;
  readonly country: string;
}

export type ProfileField = keyof ProfileDraft;

/** Where the API points its errors for each field (docs/api: `errors[].pointer`, e.g. `/body/amount`). */
export const profilePointers: Readonly<Record<ProfileField, string>> = {
  name: '/body/name',
  email: '/body/email',
  phone: '/body/phone',
  line1: '/body/address/line1',
  line2: '/body/address/line2',
  postalCode: '/body/address/postalCode',
  city: '/body/address/city',
  country: '/body/address/country',
};

export function draftOf(profile: Profile): ProfileDraft {
  return {
    name: profile.name,
    email: profile.email,
    phone: profile.phone ?? '',
    line1: profile.address?.line1 ?? '',
    line2: profile.address?.line2 ?? '',
    postalCode: profile.address?.postalCode ?? '',
    city: profile.address?.city ?? '',
    country: profile.address?.country ?? '',
  };
}

type Address = NonNullable<Profile['address']>;

/**
 * The changes from `profile` to `draft`; `{}` when nothing changed. An emptied phone or an address
 * with every line emptied is removed (`null`); a partly filled address goes as typed, so the API's
 * field errors say which line is missing.
 */
export function changesOf(profile: Profile, draft: ProfileDraft): ProfileChanges {
  const name = draft.name.trim();
  const email = draft.email.trim();
  const phone = draft.phone.replace(/[\s-]/g, '') || null;
  const address = addressOf(draft);
  return {
    ...(name !== profile.name ? { name } : {}),
    ...(email !== profile.email ? { email } : {}),
    ...(phone !== profile.phone ? { phone } : {}),
    ...(!sameAddress(address, profile.address) ? { address } : {}),
  };
}

function addressOf(draft: ProfileDraft): Address | null {
  const line1 = draft.line1.trim();
  const line2 = draft.line2.trim();
  const postalCode = draft.postalCode.trim();
  const city = draft.city.trim();
  const country = draft.country.trim().toUpperCase();
  if (!line1 && !line2 && !postalCode && !city && !country) return null;
  return { line1, ...(line2 ? { line2 } : {}), postalCode, city, country };
}

function sameAddress(a: Address | null, b: Address | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.line1 === b.line1 &&
    (a.line2 ?? '') === (b.line2 ?? '') &&
    a.postalCode === b.postalCode &&
    a.city === b.city &&
    a.country === b.country
  );
}
