DROP TABLE operator_documents;
