-- Approval receipts: the keys that sign them, shared by every node, and the record of each receipt's single use.

create table receipt_signing_key (
    kid           varchar(64)   not null primary key,
    -- Increases by one per key; the newest key that is not retired signs.
    generation    integer       not null,
    algorithm     varchar(16)   not null,
    public_jwk    varchar(2000) not null,
    -- PKCS#8 as "v1:aesgcm:<iv>:<ciphertext>" or "v1:plain:<key>". Cleared when the key retires: it never
    -- signs again, and its public half alone verifies what it signed.
    private_key   varchar(2000),
    created_at    timestamp with time zone not null,
    retired_at    timestamp with time zone,
    -- Set on retirement: the key stays published and accepted until its last receipt has expired.
    publish_until timestamp with time zone
);

create unique index ux_receipt_signing_key_generation on receipt_signing_key (generation);

-- A single row that a node locks (select ... for update) while it creates or rotates a key, so that nodes
-- starting or rotating together agree on one active key.
create table receipt_key_lock (
    id integer not null primary key
);

insert into receipt_key_lock (id) values (1);

-- A receipt is spent by the transaction that applies its action; the primary key refuses a second use.
create table receipt_use (
    receipt_id varchar(64)  not null primary key,
    subject    varchar(128) not null,
    consumer   varchar(128) not null,
    used_at    timestamp with time zone not null
);
