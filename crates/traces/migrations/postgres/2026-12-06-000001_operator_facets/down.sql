DROP INDEX operators_by_country;
CREATE INDEX operators_by_country ON operators (country_code, name);
DROP INDEX operators_facets;
ALTER TABLE operators DROP COLUMN facets;
