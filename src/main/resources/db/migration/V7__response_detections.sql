-- Every detection a response handles: the one that started it (seq 1) and each one that joined it while it was
-- open. A detection's idempotency key lives here, so a replayed join gets the original answer as a replayed start does.

create table response_detection (
    response_id     varchar(36)     not null references response (id),
    seq             integer         not null,
    source          varchar(128)    not null,
    summary         varchar(500)    not null,
    severity        varchar(16)     not null,
    evidence        varchar(100000) not null,
    requested_by    varchar(128)    not null,
    received_at     timestamp with time zone not null,
    idempotency_key varchar(128),
    request_hash    varchar(80),
    primary key (response_id, seq)
);

create unique index ux_response_detection_idempotency on response_detection (requested_by, idempotency_key);

-- Responses started before this migration had exactly one detection: their own.
insert into response_detection (response_id, seq, source, summary, severity, evidence, requested_by, received_at,
    idempotency_key, request_hash)
select id, 1, source, summary, severity, evidence, requested_by, created_at, idempotency_key, request_hash
from response;

-- Finding the open response of a target is on the path of every start.
create index ix_response_target on response (identity_id, playbook, status);
