-- The bytes of files kept in Grizha: evidence attached to monitoring records. One row per source
-- document (a file, by SHA-256, is kept once); a record names its files in its evidence as
-- {"kind": "document", "document": ID}. Backup and restore carry it like every table.
CREATE TABLE source_document_contents (
    document_id INTEGER PRIMARY KEY REFERENCES source_documents (id),
    content BLOB NOT NULL
);
