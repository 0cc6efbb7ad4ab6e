DROP INDEX operators_facet_keys;
CREATE INDEX operators_facets ON operators USING gin (facets public.gin_trgm_ops);
