-- Operators lock, unlock and close customers (issue 12, defect 12 follow-through; ADR 0105).
-- Locking is immediate (role customers); unlocking and closing are four-eyes requests, so the
-- approvals table names them, and the new least-privilege role that asks for them is an operator role.
ALTER TABLE approvals DROP CONSTRAINT approvals_action_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_action_check CHECK (action IN (
  'payments.credit', 'accounts.unfreeze', 'limits.override',
  'customers.erase', 'kyc.verify', 'limits.override_removal',
  'customers.unlock', 'customers.close'
));
ALTER TABLE operators DROP CONSTRAINT operators_roles_check;
ALTER TABLE operators ADD CONSTRAINT operators_roles_check CHECK (
  cardinality(roles) >= 1 AND roles <@ ARRAY['support', 'payments', 'accounts', 'compliance', 'approver', 'customers']
);
