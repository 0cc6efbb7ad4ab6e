ALTER TABLE operators DROP COLUMN api_document;
