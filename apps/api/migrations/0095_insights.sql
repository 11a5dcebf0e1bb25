-- Financial insights (issue 14; docs/api/insights.md): budgets, category corrections, the
-- insights the worker writes, and the queue and sweep cursor that tell it whom to look at.

-- A customer's monthly budget of one category in one currency.
CREATE TABLE budgets (
  customer_id text NOT NULL REFERENCES customers (id),
  category text NOT NULL CHECK (category ~ '^[a-z][a-z_]{0,31}$'),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, category, currency)
);

-- A customer's correction of a merchant's category: it wins over every guess for that merchant's
-- lines. merchant_key is a hash of the counterparty IBAN or of the normalised booking text
-- (insights/merchants.ts), never the text itself; transaction_id is the line corrected, so the
-- correction is also a labelled training example (joined to its line only when exported).
CREATE TABLE category_corrections (
  customer_id text NOT NULL REFERENCES customers (id),
  merchant_key text NOT NULL CHECK (merchant_key ~ '^mk_[0-9a-f]{24}$'),
  category text NOT NULL CHECK (category ~ '^[a-z][a-z_]{0,31}$'),
  transaction_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, merchant_key)
);

-- What the worker found. dedupe_key names the fact (a budget warning of one category, currency and
-- month; one subscription of one account): regenerating the same fact never writes a second row.
CREATE TABLE insights (
  id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  type text NOT NULL CHECK (type IN ('budget_warning', 'budget_exceeded', 'unusual_spending', 'subscription_found',
                                     'upcoming_bill', 'savings_suggestion', 'low_balance_forecast')),
  period text NOT NULL,
  dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  message_key text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}',
  data jsonb NOT NULL DEFAULT '{}',
  model_version text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  dismissed_at timestamptz,
  UNIQUE (customer_id, dedupe_key)
);
-- Newest-first keyset pages per customer.
CREATE INDEX insights_customer ON insights (customer_id, created_at DESC, id DESC);

-- Customers whose lines changed since the worker last looked. `generation` grows with every enqueue,
-- so a run deletes the row only if nothing was enqueued while it worked (else the next run looks again).
CREATE TABLE insight_queue (
  customer_id text PRIMARY KEY,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  generation bigint NOT NULL DEFAULT 1,
  claimed_until timestamptz,
  attempts int NOT NULL DEFAULT 0
);
CREATE INDEX insight_queue_due ON insight_queue (enqueued_at);

-- The nightly pass over every customer (time passing changes insights without a new line: a bill
-- comes due, a month ends): a cursor over customer ids, advanced a batch at a time.
CREATE TABLE insight_sweeps (
  name text PRIMARY KEY,
  cursor text,
  started_at timestamptz,
  finished_at timestamptz
);
INSERT INTO insight_sweeps (name) VALUES ('nightly');

-- Every statement that writes history lines enqueues their customers once (a statement-level
-- trigger: payments_post writes a whole batch in one statement), in customer order so two
-- concurrent batches take the queue rows' locks in the same order.
CREATE FUNCTION insight_enqueue_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_queue (customer_id)
  SELECT DISTINCT customer_id FROM new_lines ORDER BY customer_id
  ON CONFLICT (customer_id) DO UPDATE
    SET enqueued_at = now(), generation = insight_queue.generation + 1, attempts = 0;
  RETURN NULL;
END $$;

CREATE TRIGGER account_transactions_enqueue_insights
  AFTER INSERT ON account_transactions
  REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION insight_enqueue_lines();
