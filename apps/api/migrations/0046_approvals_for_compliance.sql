-- Four-eyes for the compliance desk (docs/adr/0042-four-eyes-approvals.md): erasing a customer,
-- verifying or moving a customer to a higher KYC tier, and lifting a restrictive limit override
-- are approval requests too.
ALTER TABLE approvals DROP CONSTRAINT approvals_action_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_action_check CHECK (action IN (
  'payments.credit', 'accounts.unfreeze', 'limits.override',
  'customers.erase', 'kyc.verify', 'limits.override_removal'
));
