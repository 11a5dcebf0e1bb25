-- Why a history line ended as it did (issue 14; docs/api/banking.md "Transaction history"). `status`
-- says what happened to the money (a voided line moved nothing); `status_reason` says why, so the app
-- can tell a payment the bank declined after its fraud review from one that was simply cancelled.
-- NULL is "no reason recorded": every line written before this migration and every line whose status
-- needs no explanation (posted, pending). The values:
--   review_rejected  a transfer held for a fraud review that an analyst rejected (payments/reviews.ts,
--                    docs/adr/0131): the sender's pending line voided in the same statement.
-- Reasons to come, each added to this CHECK by its own migration and to the API's enum (clients treat
-- a value they do not know as no reason): a card authorisation that expired unclaimed
-- (authorisation_expired, voided), a payment returned by the payee's bank (returned_by_payee_bank,
-- reversed).
--
-- NOT VALID: every existing row is NULL, so there is nothing to validate, and skipping the check's
-- scan keeps the exclusive lock on the largest table to a catalogue change; every row inserted or
-- updated from now on is checked.
ALTER TABLE account_transactions ADD COLUMN status_reason text;
ALTER TABLE account_transactions ADD CONSTRAINT account_transactions_status_reason_check
  CHECK (status_reason IN ('review_rejected')) NOT VALID;
-- A reason explains an ending: a pending or posted line has none.
ALTER TABLE account_transactions ADD CONSTRAINT account_transactions_status_reason_ending
  CHECK (status_reason IS NULL OR status IN ('voided', 'reversed')) NOT VALID;
