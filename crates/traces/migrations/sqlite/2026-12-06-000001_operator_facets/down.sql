ALTER TABLE operators DROP COLUMN facets;
