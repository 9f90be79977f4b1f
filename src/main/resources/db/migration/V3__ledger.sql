-- The decision ledger: every state change of every response, hash-chained and append-only.
-- No foreign keys, neither to the engine's tables nor to response: the ledger must outlive history cleanup
-- and any future deletion of responses. V3_1 (io.countersign.audit) moves response_event into the chain.

create table ledger_entry (
    -- Contiguous from 1, assigned while holding the row lock on ledger_head: a gap means a deleted entry.
    seq         bigint        not null primary key,
    -- Truncated to milliseconds, exactly as hashed.
    at          timestamp with time zone not null,
    response_id varchar(36),
    type        varchar(32)   not null,
    actor       varchar(128),
    detail      varchar(4000),
    -- Canonical JSON text.
    data        varchar(20000),
    prev_hash   varchar(80)   not null,
    hash        varchar(80)   not null
);

create index ix_ledger_entry_response on ledger_entry (response_id, seq);

-- The end of the chain. Appenders lock this one row, so every node appends to one linear chain; verification
-- compares it with the last entry, so deleting entries from the end is detected too.
create table ledger_head (
    id   int          not null primary key,
    seq  bigint       not null,
    hash varchar(80)  not null,
    constraint ck_ledger_head_single_row check (id = 1)
);

insert into ledger_head (id, seq, hash)
values (1, 0, 'sha256:0000000000000000000000000000000000000000000000000000000000000000');
