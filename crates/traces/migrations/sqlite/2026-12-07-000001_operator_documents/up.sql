-- The API's JSON of each operator, rewritten in every transaction that changes the operator
-- (see store/operator_documents.rs). A row of its own, beside the operator's: kept on the
-- operator's row, the 2 KB of each document made the search read ten times the pages. No row
-- until built: the API then assembles the operator from its tables, and `serve` builds the
-- missing documents.
CREATE TABLE operator_documents (
    operator_id TEXT PRIMARY KEY NOT NULL REFERENCES operators(id),
    document TEXT NOT NULL
);
