-- Every posted transfer leaves an audit record in the transaction that posts it
-- (docs/adr/0040-audit-log-hash-chain-and-sealer.md). Transfers are posted in batches by ONE
-- statement (payments_post, migration 0025), so this is a statement-level trigger over the batch's
-- new rows: one extra INSERT … SELECT per batch, no round trip, no shared lock, and no way for
-- application code to post a transfer without its audit record.
--
-- The record's id reuses the transfer id's body (aud_<body of trf_…>): unique, and it links the two.
-- Details hold ids and the amount only; never the counterparty's name or IBAN.
CREATE FUNCTION audit_posted_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending (id, occurred_at, action, actor_kind, actor_id, subject_kind, subject_id, details)
  SELECT 'aud_' || substr(t.id, 5), date_trunc('milliseconds', t.created_at), 'payments.transfer_posted',
    'customer', t.customer_id, 'transfer', t.id,
    jsonb_build_object('amountMinor', t.amount_minor::text, 'currency', t.currency,
      'fromAccountId', t.from_account_id, 'toAccountId', t.to_account_id, 'journalEntryId', t.journal_entry_id)
  FROM posted_transfers t;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transfers_audit AFTER INSERT ON transfers
  REFERENCING NEW TABLE AS posted_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION audit_posted_transfers();
