-- The first table of traces: which environment (acceptance or production) this database
-- belongs to, so a database can never serve the other environment by mistake.
CREATE TABLE service_environment (
    id INTEGER PRIMARY KEY NOT NULL,
    environment TEXT NOT NULL
);
