/**
 * The API's limits on what a customer types for a payment or a payee (docs/api/banking.md and the
 * OpenAPI schemas). Checked here so a person hears about them before a round trip; the API checks
 * them again.
 */

/** A transfer's or payee's reference: at most 140 printable characters. */
export const referenceLengthMax = 140;
/** A payee's name: 1–70 printable characters, not blank at either end. */
export const payeeNameLengthMax = 70;
/** An IBAN as typed, spaces included. */
export const ibanInputLengthMax = 50;
/** An amount as typed; the API takes at most 40 characters for its decimal string. */
export const amountInputLengthMax = 40;
