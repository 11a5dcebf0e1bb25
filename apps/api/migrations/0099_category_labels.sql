-- Customers' category corrections as training labels (docs/ml/category-labels.md): what the text
-- model said when the customer corrected the line, and the indexes the export reads by.
--
-- model_category and model_version are null for corrections made before this migration and when
-- the categoriser could not be loaded ('categoriser-unavailable'): not known, not guessed later.
ALTER TABLE category_corrections
  ADD COLUMN model_category text CHECK (model_category ~ '^[a-z][a-z_]{0,31}$'),
  ADD COLUMN model_version text CHECK (length(model_version) BETWEEN 1 AND 64);

-- The export's order: corrections oldest first, in keyset batches (insights/labels.ts).
CREATE INDEX category_corrections_created ON category_corrections (created_at, customer_id, merchant_key);
-- How many customers corrected a merchant key: a text goes out only when enough did.
CREATE INDEX category_corrections_merchant ON category_corrections (merchant_key);
