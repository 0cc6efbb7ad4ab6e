-- The codes the search filters on, on the operator's row (see store/operator_facets.rs):
-- `|a:<activity type>|r:<responsible authority>|s:<section>|`, each once, in order.
ALTER TABLE operators ADD COLUMN facets TEXT NOT NULL DEFAULT '';
UPDATE operators o SET facets = f.facets FROM (
    SELECT operator_id, '|' || string_agg(facet, '|' ORDER BY facet COLLATE "C") || '|' AS facets
    FROM (
        SELECT a.operator_id, 's:' || t.section_code AS facet
            FROM activities a JOIN activity_types t ON t.code = a.activity_code
        UNION
        SELECT a.operator_id, 'a:' || a.activity_code FROM activities a
        UNION
        SELECT a.operator_id, 'r:' || aa.authority_code
            FROM activities a JOIN activity_authorities aa ON aa.activity_id = a.id
    ) parts
    GROUP BY operator_id
) f
WHERE f.operator_id = o.id;
-- LIKE '%|s:PLANTS-PO|%' from the trigram index, combined with the others of the table.
CREATE INDEX operators_facets ON operators USING gin (facets public.gin_trgm_ops);
-- A search by country reads only this index (an index-only scan): with the columns of the
-- other filters, of the scope and of a result row, it need not visit the table's rows.
DROP INDEX operators_by_country;
CREATE INDEX operators_by_country ON operators (country_code, name) INCLUDE (id, status, facets);
