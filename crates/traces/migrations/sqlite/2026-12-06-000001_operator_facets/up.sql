-- The codes the search filters on, on the operator's row (see store/operator_facets.rs):
-- `|a:<activity type>|r:<responsible authority>|s:<section>|`, each once, in order.
ALTER TABLE operators ADD COLUMN facets TEXT NOT NULL DEFAULT '';
UPDATE operators SET facets = COALESCE((
    SELECT '|' || group_concat(facet, '|') || '|' FROM (
        SELECT facet FROM (
            SELECT 's:' || t.section_code AS facet
                FROM activities a JOIN activity_types t ON t.code = a.activity_code
                WHERE a.operator_id = operators.id
            UNION
            SELECT 'a:' || a.activity_code FROM activities a WHERE a.operator_id = operators.id
            UNION
            SELECT 'r:' || aa.authority_code
                FROM activities a JOIN activity_authorities aa ON aa.activity_id = a.id
                WHERE a.operator_id = operators.id
        ) ORDER BY facet
    )
), '');
