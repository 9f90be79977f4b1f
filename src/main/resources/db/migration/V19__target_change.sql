-- What a connector changed on a real system, keyed by the action's idempotency key. A row is written PENDING in a
-- transaction of its own before the system is touched, so a retry after a crash knows the change may have happened
-- and reconciles with the system instead of changing it twice; APPLIED once recorded with the action, UNDONE once a
-- rollback restored the before-state (exactly once). Secret material is never here: at most a fingerprint.
create table target_change (
    idempotency_key varchar(200)   not null primary key,
    target          varchar(64)    not null,
    action_type     varchar(64)    not null,
    subject         varchar(256)   not null,
    before_state    varchar(16000) not null,
    after_state     varchar(16000),
    status          varchar(16)    not null,
    created_at      timestamp with time zone not null,
    updated_at      timestamp with time zone not null
);

create index ix_target_change_subject on target_change (target, subject, created_at);
