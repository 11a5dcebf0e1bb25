-- ledger_apply: the one door through which money moves (docs/adr/0021-ledger-posting-function.md).
--
-- Takes a batch of commands (JSON array) and applies them in order in the caller's transaction:
--   post       a new posted entry            { op, entryId, kind, description, metadata, createdAt?, effectiveAt?,
--                                              postings: [{ account, currency, amountMinor }] }
--   hold       a new pending entry (a hold)  same shape as post; its debits raise pending_debit
--   post_hold  settle a hold, maybe for less { op, targetEntryId, amountMinor? }
--   void_hold  release a hold                { op, targetEntryId }
--   reverse    a posted entry's correction   { op, entryId, targetEntryId, description, metadata }
-- Every ledger account involved is locked once, in id order, so concurrent batches cannot deadlock
-- on accounts; entries a command acts on are locked first, also in id order. Each command gets its
-- own outcome: { ok: true, entryId, status, createdAt, postedAt, postings: [{ account, amountMinor,
-- balanceAfterMinor }] } or { ok: false, code, postingIndex }; a rejected command changes nothing.
-- Amounts travel as decimal strings so no JSON number ever rounds them.
CREATE FUNCTION ledger_apply(commands jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  now_at constant timestamptz := now();
  -- Locked accounts as parallel arrays sorted by id: PL/pgSQL has no maps, and its arrays update in place.
  acc_ids text[];
  acc_currency text[];
  acc_status text[];
  acc_balance bigint[];
  acc_pending bigint[];
  acc_floor bigint[];
  acc_touched boolean[];
  results jsonb[] := '{}';
  -- New entries and postings, written at the end with one INSERT each.
  e_id text[] := '{}';
  e_kind text[] := '{}';
  e_status text[] := '{}';
  e_reverses text[] := '{}';
  e_description text[] := '{}';
  e_metadata jsonb[] := '{}';
  e_effective timestamptz[] := '{}';
  e_created timestamptz[] := '{}';
  e_posted timestamptz[] := '{}';
  p_entry text[] := '{}';
  p_account text[] := '{}';
  p_currency text[] := '{}';
  p_amount bigint[] := '{}';
  p_after bigint[] := '{}';
  p_created timestamptz[] := '{}';
  -- The command being applied, as legs (one per posting).
  cmd jsonb;
  op text;
  target text;
  target_status text;
  outcome jsonb;
  created_at_cmd timestamptz;
  entry_status text;
  legs_account text[];
  legs_currency text[];
  legs_amount bigint[];
  legs_posting bigint[];
  legs_idx int[];
  legs_after bigint[];
  legs_json jsonb[];
  held_minor bigint;
  capture_minor bigint;
  leg int;
  legs_count int;
  idx int;
BEGIN
  -- Lock order: entries acted on (by id), then every account involved (by id).
  PERFORM 1 FROM journal_entries
  WHERE id IN (SELECT c ->> 'targetEntryId' FROM jsonb_array_elements(commands) c WHERE c ? 'targetEntryId')
  ORDER BY id FOR NO KEY UPDATE;

  SELECT array_agg(locked.id ORDER BY locked.id), array_agg(locked.currency ORDER BY locked.id),
         array_agg(locked.status ORDER BY locked.id), array_agg(locked.balance_minor ORDER BY locked.id),
         array_agg(locked.pending_debit_minor ORDER BY locked.id), array_agg(locked.floor_minor ORDER BY locked.id)
    INTO acc_ids, acc_currency, acc_status, acc_balance, acc_pending, acc_floor
  FROM (
    SELECT a.id, a.currency, a.status, a.balance_minor, a.pending_debit_minor, a.floor_minor
    FROM ledger_accounts a
    WHERE a.id IN (
      SELECT l ->> 'account' FROM jsonb_array_elements(commands) c, jsonb_array_elements(c -> 'postings') l
      WHERE jsonb_typeof(c -> 'postings') = 'array'
      UNION
      SELECT p.ledger_account_id FROM postings p
      WHERE p.entry_id IN (SELECT c ->> 'targetEntryId' FROM jsonb_array_elements(commands) c WHERE c ? 'targetEntryId')
    )
    ORDER BY a.id FOR NO KEY UPDATE
  ) locked;
  acc_touched := array_fill(false, ARRAY[coalesce(cardinality(acc_ids), 0)]);

  FOR i IN 0 .. jsonb_array_length(commands) - 1 LOOP
    cmd := commands -> i;
    op := cmd ->> 'op';
    outcome := NULL;
    legs_account := '{}'; legs_currency := '{}'; legs_amount := '{}'; legs_posting := '{}';
    legs_idx := '{}'; legs_after := '{}'; legs_json := '{}';
    created_at_cmd := coalesce((cmd ->> 'createdAt')::timestamptz, now_at);

    -- 1. The command's legs: given postings, or the postings of the entry it acts on.
    IF op IN ('post', 'hold') THEN
      FOR leg IN 1 .. jsonb_array_length(cmd -> 'postings') LOOP
        legs_account[leg] := cmd -> 'postings' -> (leg - 1) ->> 'account';
        legs_currency[leg] := cmd -> 'postings' -> (leg - 1) ->> 'currency';
        legs_amount[leg] := (cmd -> 'postings' -> (leg - 1) ->> 'amountMinor')::bigint;
      END LOOP;
    ELSIF op IN ('post_hold', 'void_hold', 'reverse') THEN
      target := cmd ->> 'targetEntryId';
      SELECT e.status INTO target_status FROM journal_entries e WHERE e.id = target;
      IF NOT FOUND THEN
        outcome := jsonb_build_object('ok', false, 'code', 'entry_not_found', 'postingIndex', NULL);
      ELSIF op <> 'reverse' AND target_status <> 'pending' THEN
        outcome := jsonb_build_object('ok', false, 'code', 'entry_not_pending', 'postingIndex', NULL);
      ELSIF op = 'reverse' AND target_status <> 'posted' THEN
        outcome := jsonb_build_object('ok', false, 'code', 'entry_not_reversible', 'postingIndex', NULL);
      ELSE
        SELECT array_agg(p.ledger_account_id ORDER BY p.id), array_agg(p.currency ORDER BY p.id),
               array_agg(p.amount_minor ORDER BY p.id), array_agg(p.id ORDER BY p.id)
          INTO legs_account, legs_currency, legs_amount, legs_posting
        FROM postings p WHERE p.entry_id = target;
      END IF;
    ELSE
      RAISE EXCEPTION 'ledger_apply: unknown op %', op;
    END IF;
    legs_count := coalesce(cardinality(legs_account), 0);
    FOR leg IN 1 .. legs_count LOOP
      legs_idx[leg] := array_position(acc_ids, legs_account[leg]);
      IF op = 'reverse' THEN legs_amount[leg] := -legs_amount[leg]; END IF;
    END LOOP;

    -- 2. Checks for commands that create postings: accounts usable, currencies match, then funds.
    IF outcome IS NULL AND op IN ('post', 'hold', 'reverse') THEN
      FOR leg IN 1 .. legs_count LOOP
        idx := legs_idx[leg];
        IF idx IS NULL THEN
          outcome := jsonb_build_object('ok', false, 'code', 'account_not_found', 'postingIndex', leg - 1);
        ELSIF array_position(legs_account, legs_account[leg]) <> leg THEN
          outcome := jsonb_build_object('ok', false, 'code', 'same_account', 'postingIndex', leg - 1);
        ELSIF acc_status[idx] = 'closed' THEN
          outcome := jsonb_build_object('ok', false, 'code', 'account_closed', 'postingIndex', leg - 1);
        -- A bank correction (reversal) still reaches a frozen account; customers' movements do not.
        ELSIF acc_status[idx] = 'frozen' AND op <> 'reverse' THEN
          outcome := jsonb_build_object('ok', false, 'code', 'account_frozen', 'postingIndex', leg - 1);
        ELSIF acc_currency[idx] <> legs_currency[leg] THEN
          outcome := jsonb_build_object('ok', false, 'code', 'currency_mismatch', 'postingIndex', leg - 1);
        END IF;
        EXIT WHEN outcome IS NOT NULL;
      END LOOP;
      IF outcome IS NULL THEN
        FOR leg IN 1 .. legs_count LOOP
          idx := legs_idx[leg];
          IF legs_amount[leg] < 0 AND acc_floor[idx] IS NOT NULL
             AND acc_balance[idx] - acc_pending[idx] + legs_amount[leg] < acc_floor[idx] THEN
            outcome := jsonb_build_object('ok', false, 'code', 'insufficient_funds', 'postingIndex', leg - 1);
            EXIT;
          END IF;
        END LOOP;
      END IF;
    END IF;

    -- A partial capture lowers both legs of a two-legged hold to the captured amount.
    IF outcome IS NULL AND op = 'post_hold' AND cmd ? 'amountMinor' THEN
      capture_minor := (cmd ->> 'amountMinor')::bigint;
      held_minor := abs(legs_amount[1]);
      IF legs_count <> 2 OR capture_minor <= 0 OR capture_minor > held_minor THEN
        outcome := jsonb_build_object('ok', false, 'code', 'amount_exceeds_hold', 'postingIndex', NULL);
      END IF;
    ELSE
      capture_minor := NULL;
    END IF;

    IF outcome IS NOT NULL THEN
      results := array_append(results, outcome);
      CONTINUE;
    END IF;

    -- 3. Apply: cached balances move with the postings, under the locks taken above.
    FOR leg IN 1 .. legs_count LOOP
      idx := legs_idx[leg];
      acc_touched[idx] := true;
      IF op = 'hold' THEN
        IF legs_amount[leg] < 0 THEN acc_pending[idx] := acc_pending[idx] - legs_amount[leg]; END IF;
        legs_after[leg] := NULL;
      ELSIF op = 'void_hold' THEN
        IF legs_amount[leg] < 0 THEN acc_pending[idx] := acc_pending[idx] + legs_amount[leg]; END IF;
        legs_after[leg] := NULL;
      ELSE
        IF op = 'post_hold' THEN
          IF legs_amount[leg] < 0 THEN acc_pending[idx] := acc_pending[idx] + legs_amount[leg]; END IF;
          IF capture_minor IS NOT NULL THEN legs_amount[leg] := sign(legs_amount[leg]) * capture_minor; END IF;
        END IF;
        acc_balance[idx] := acc_balance[idx] + legs_amount[leg];
        legs_after[leg] := acc_balance[idx];
      END IF;
      legs_json[leg] := jsonb_build_object('account', legs_account[leg], 'amountMinor', legs_amount[leg]::text,
        'balanceAfterMinor', legs_after[leg]::text);
    END LOOP;

    IF op IN ('post', 'hold', 'reverse') THEN
      entry_status := CASE op WHEN 'hold' THEN 'pending' ELSE 'posted' END;
      e_id := array_append(e_id, cmd ->> 'entryId');
      e_kind := array_append(e_kind, CASE op WHEN 'reverse' THEN 'reversal' ELSE cmd ->> 'kind' END);
      e_status := array_append(e_status, entry_status);
      e_reverses := array_append(e_reverses, CASE op WHEN 'reverse' THEN target END);
      e_description := array_append(e_description, coalesce(cmd ->> 'description', ''));
      e_metadata := array_append(e_metadata, coalesce(cmd -> 'metadata', '{}'));
      e_effective := array_append(e_effective, coalesce((cmd ->> 'effectiveAt')::timestamptz, created_at_cmd));
      e_created := array_append(e_created, created_at_cmd);
      e_posted := array_append(e_posted, CASE entry_status WHEN 'posted' THEN created_at_cmd END);
      FOR leg IN 1 .. legs_count LOOP
        p_entry := array_append(p_entry, cmd ->> 'entryId');
        p_account := array_append(p_account, legs_account[leg]);
        p_currency := array_append(p_currency, legs_currency[leg]);
        p_amount := array_append(p_amount, legs_amount[leg]);
        p_after := array_append(p_after, legs_after[leg]);
        p_created := array_append(p_created, created_at_cmd);
      END LOOP;
      IF op = 'reverse' THEN
        UPDATE journal_entries SET status = 'reversed' WHERE id = target;
      END IF;
      results := array_append(results, jsonb_build_object('ok', true, 'entryId', cmd ->> 'entryId',
        'status', entry_status, 'createdAt', created_at_cmd,
        'postedAt', CASE entry_status WHEN 'posted' THEN created_at_cmd END, 'postings', to_jsonb(legs_json)));
    ELSE
      -- Settling a hold rewrites its pending postings in one statement, so the entry stays balanced.
      IF op = 'post_hold' THEN
        UPDATE postings p SET amount_minor = u.amount_minor, balance_after_minor = u.balance_after_minor
        FROM unnest(legs_posting, legs_amount, legs_after) AS u(id, amount_minor, balance_after_minor)
        WHERE p.id = u.id;
      END IF;
      UPDATE journal_entries
      SET status = CASE op WHEN 'post_hold' THEN 'posted' ELSE 'voided' END,
          posted_at = CASE op WHEN 'post_hold' THEN now_at END
      WHERE id = target;
      results := array_append(results, jsonb_build_object('ok', true, 'entryId', target,
        'status', CASE op WHEN 'post_hold' THEN 'posted' ELSE 'voided' END,
        'createdAt', now_at, 'postedAt', CASE op WHEN 'post_hold' THEN now_at END,
        'postings', to_jsonb(legs_json)));
    END IF;
  END LOOP;

  INSERT INTO journal_entries (id, kind, status, reverses_entry_id, description, metadata, effective_at, created_at, posted_at)
  SELECT * FROM unnest(e_id, e_kind, e_status, e_reverses, e_description, e_metadata, e_effective, e_created, e_posted);
  INSERT INTO postings (entry_id, ledger_account_id, currency, amount_minor, balance_after_minor, created_at)
  SELECT * FROM unnest(p_entry, p_account, p_currency, p_amount, p_after, p_created);
  UPDATE ledger_accounts a
  SET balance_minor = u.balance_minor, pending_debit_minor = u.pending_debit_minor,
      version = a.version + 1, updated_at = now_at
  FROM unnest(acc_ids, acc_balance, acc_pending, acc_touched) AS u(id, balance_minor, pending_debit_minor, touched)
  WHERE a.id = u.id AND u.touched;

  RETURN to_jsonb(results);
END $$;
