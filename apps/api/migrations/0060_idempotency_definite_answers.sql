-- Only a definite answer (status below 500) may be stored under an Idempotency-Key (issue 12,
-- defect 0; payments/idempotency.ts isDefiniteAnswer). A 5xx means "nothing you can rely on
-- happened, retry": stored, it would answer every retry with the same failure forever. Rows the
-- defect stored are removed first: each stands for a request that changed nothing (no movement is
-- ever posted together with a 5xx answer), so freeing its key lets the client's retry go through.
DELETE FROM idempotency_keys WHERE response_status >= 500;
ALTER TABLE idempotency_keys
  ADD CONSTRAINT idempotency_keys_definite_answer CHECK (response_status BETWEEN 100 AND 499);
