-- Signed ledger checkpoints: {seq, headHash, at} signed with the checkpoint key, whose private half is derived from
-- COUNTERSIGN_LEDGER_KEY_SECRET and never stored. Kept here for the API and verify; each one is also written to a
-- sink outside the database, which is what an operator with SQL cannot take back.
create table ledger_checkpoint (
    -- The primary key lets only one node sign a given head: the second insert fails and that node moves on.
    seq       bigint        not null primary key,
    head_hash varchar(80)   not null,
    at        timestamp with time zone not null,
    kid       varchar(128)  not null,
    jws       varchar(2000) not null
);

-- The ledger reads a decision row by request and approver while it holds the chain lock: keep that an index lookup.
create index ix_approval_decision_request on approval_decision (approval_request_id, approver);

-- HMAC-SHA256 of the entry's hash under a key derived from COUNTERSIGN_LEDGER_KEY_SECRET: an entry appended with SQL
-- chains correctly but has no valid MAC. Null for entries written before this version (see ROW_COVERAGE_STARTED).
alter table ledger_entry add column mac varchar(80);
