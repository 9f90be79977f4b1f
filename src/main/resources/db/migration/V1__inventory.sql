-- NHI inventory: the embedded default target of actions.
-- Secret material is never stored here; a version carries at most a fingerprint of it.

create table nhi_identity (
    id          varchar(128)  not null primary key,
    owner       varchar(128)  not null,
    description varchar(1000),
    environment varchar(16)   not null,
    status      varchar(16)   not null,
    created_at  timestamp with time zone not null,
    updated_at  timestamp with time zone not null
);

create table nhi_privilege (
    identity_id varchar(128) not null references nhi_identity (id) on delete cascade,
    privilege   varchar(256) not null,
    primary key (identity_id, privilege)
);

-- The workloads that depend on an identity: the blast radius of acting on it.
create table nhi_consumer (
    identity_id     varchar(128) not null references nhi_identity (id) on delete cascade,
    name            varchar(128) not null,
    customer_facing boolean      not null,
    last_used_at    timestamp with time zone,
    primary key (identity_id, name)
);

create table nhi_credential (
    id              varchar(128) not null primary key,
    identity_id     varchar(128) not null references nhi_identity (id),
    kind            varchar(32)  not null,
    status          varchar(16)  not null,
    current_version integer      not null,
    updated_at      timestamp with time zone not null
);

create table nhi_credential_version (
    credential_id varchar(128) not null references nhi_credential (id),
    version       integer      not null,
    status        varchar(16)  not null,
    fingerprint   varchar(80),
    created_at    timestamp with time zone not null,
    retired_at    timestamp with time zone,
    -- Idempotency key of the action that created this version: a retried apply finds it and does nothing.
    change_key    varchar(200),
    primary key (credential_id, version)
);

create unique index ux_credential_version_change_key on nhi_credential_version (change_key);
