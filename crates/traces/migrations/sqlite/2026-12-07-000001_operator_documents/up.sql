-- The API's JSON of each operator, kept on its row and rewritten in every transaction that
-- changes the operator (see store/operator_documents.rs). NULL until built: the API then
-- assembles the operator from its tables, and `serve` builds the missing documents.
ALTER TABLE operators ADD COLUMN api_document TEXT;
