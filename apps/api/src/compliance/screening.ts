/**
 * SEAM for sanctions and PEP screening (the integrations issue connects it to real lists). The KYC
 * service calls it when a customer submits their identity document and again at each back-office
 * decision, since lists change between the two. A `match` blocks verification; a `potential_match`
 * is shown to the reviewing operator, who decides. The outcome is never shown to the customer
 * (no tipping-off, AML rules): they only ever see their KYC status.
 */
export interface ScreeningSubject {
  readonly customerId: string;
  readonly legalName: string;
  /** YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** ISO 3166-1 alpha-2. */
  readonly nationality: string;
  readonly documentIssuingCountry: string;
}

export type ScreeningOutcome = 'clear' | 'potential_match' | 'match';

export interface ScreeningResult {
  readonly outcome: ScreeningOutcome;
  /**
   * Why, as a short code or sentence the provider gives (≤ 200 characters), e.g. a list name and
   * entry id. Never the matched entry's personal data: it is stored on the KYC profile.
   */
  readonly reason: string;
}

export interface Screening {
  screen(subject: ScreeningSubject, stage: 'submission' | 'decision'): Promise<ScreeningResult>;
}

/**
 * The default until the integrations issue connects a provider: screens against nothing, and says
 * so in its reason, which is stored on every profile it clears, so nobody mistakes it for a real check.
 */
export const unscreened: Screening = {
  async screen() {
    return { outcome: 'clear', reason: 'not_screened: no sanctions list is connected yet' };
  },
};
