-- adds a column and a table
ALTER TABLE t1 ADD COLUMN note TEXT;
CREATE TABLE t2 (
    id INTEGER PRIMARY KEY
);
