-- Actions the built-in inventory connector applies, and what each overwrote so it can be undone.

-- An isolated workload keeps its record (it is still the blast radius) but no longer receives the identity.
alter table nhi_consumer add column isolated boolean default false not null;

-- One row per applied action, keyed by its idempotency key: a retried apply finds it and changes nothing, and a
-- rollback restores exactly before_state, once.
create table inventory_change (
    idempotency_key varchar(200)  not null primary key,
    action_type     varchar(64)   not null,
    target          varchar(128)  not null,
    response_id     varchar(36)   not null,
    -- The approved action's fingerprint: only a receipt for this very action may undo the change.
    action_fingerprint varchar(80) not null,
    -- JSON of exactly what the change overwrote, and with what, so an undo never reverts a later change.
    before_state    varchar(8000) not null,
    applied_at      timestamp with time zone not null,
    rolled_back_at  timestamp with time zone,
    rollback_key    varchar(200)
);
