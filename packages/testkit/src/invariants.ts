/**
 * The ledger's money invariants, checked from the outside with plain SQL. Property, concurrency and
 * crash tests run it after their load; an empty list means the books are sound:
 *  - every entry has 2+ postings that sum to zero per currency, and so does every currency overall;
 *  - every cached balance equals the sum of its account's posted postings (posted or reversed entries);
 *  - every pending_debit equals the debits of the account's pending entries;
 *  - a posting has a balance_after exactly when its entry is posted (or later reversed);
 *  - no available balance (balance − pending debits) is below its floor.
 */
export interface LedgerQueryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

const checks: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: 'entry unbalanced',
    sql: `SELECT entry_id AS subject, string_agg(currency || ' ' || total::text, ', ') AS detail
          FROM (SELECT entry_id, currency, sum(amount_minor) AS total, count(*) AS n FROM postings GROUP BY entry_id, currency) c
          GROUP BY entry_id HAVING bool_or(total <> 0) OR sum(n) < 2`,
  },
  {
    name: 'currency total not zero',
    sql: `SELECT currency AS subject, sum(amount_minor)::text AS detail FROM postings p
          JOIN journal_entries e ON e.id = p.entry_id WHERE e.status IN ('posted', 'reversed')
          GROUP BY currency HAVING sum(amount_minor) <> 0`,
  },
  {
    name: 'cached balance differs from postings',
    sql: `SELECT a.id AS subject, 'cached ' || a.balance_minor || ', postings ' || coalesce(s.total, 0) AS detail
          FROM ledger_accounts a LEFT JOIN (
            SELECT p.ledger_account_id, sum(p.amount_minor) AS total FROM postings p
            JOIN journal_entries e ON e.id = p.entry_id WHERE e.status IN ('posted', 'reversed')
            GROUP BY p.ledger_account_id) s ON s.ledger_account_id = a.id
          WHERE a.balance_minor <> coalesce(s.total, 0)`,
  },
  {
    name: 'pending debit differs from open holds',
    sql: `SELECT a.id AS subject, 'cached ' || a.pending_debit_minor || ', holds ' || coalesce(h.total, 0) AS detail
          FROM ledger_accounts a LEFT JOIN (
            SELECT p.ledger_account_id, -sum(p.amount_minor) AS total FROM postings p
            JOIN journal_entries e ON e.id = p.entry_id WHERE e.status = 'pending' AND p.amount_minor < 0
            GROUP BY p.ledger_account_id) h ON h.ledger_account_id = a.id
          WHERE a.pending_debit_minor <> coalesce(h.total, 0)`,
  },
  {
    name: 'posted posting without balance_after',
    sql: `SELECT p.id::text AS subject, 'entry ' || p.entry_id || ' is ' || e.status AS detail
          FROM postings p JOIN journal_entries e ON e.id = p.entry_id
          WHERE (e.status IN ('posted', 'reversed')) <> (p.balance_after_minor IS NOT NULL)`,
  },
  {
    name: 'available balance below floor',
    sql: `SELECT id AS subject, 'available ' || (balance_minor - pending_debit_minor) || ', floor ' || floor_minor AS detail
          FROM ledger_accounts WHERE floor_minor IS NOT NULL AND balance_minor - pending_debit_minor < floor_minor`,
  },
];

export interface LedgerViolation {
  readonly invariant: string;
  readonly subject: string;
  readonly detail: string;
}

export async function checkLedgerInvariants(db: LedgerQueryable): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  for (const check of checks) {
    const { rows } = await db.query<{ subject: string; detail: string }>(check.sql);
    for (const row of rows) violations.push({ invariant: check.name, subject: row.subject, detail: row.detail });
  }
  return violations;
}
