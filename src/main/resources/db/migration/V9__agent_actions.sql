-- Agent tool calls waiting for, holding or having lost a reviewer's approval. The row is what the reviewer
-- approves and what receipts are issued from; process variables only display it.

create table agent_action (
    id                  varchar(36)    not null primary key,
    -- The authenticated service account that asked; the only caller allowed to read the action besides reviewers.
    account_id          varchar(64)    not null,
    agent               varchar(64)    not null,
    tool                varchar(128)   not null,
    -- Canonical JSON, at most 64 KiB as UTF-8 (checked by the API).
    arguments_json      varchar(70000) not null,
    -- sha256 of tool + canonical arguments: what a receipt's fingerprint binds and a tool server recomputes.
    arguments_hash      varchar(80)    not null,
    purpose             varchar(1000)  not null,
    scope               varchar(1000)  not null,
    requested_duration  integer        not null,
    -- sha256 of the whole request as asked (account, agent, tool, arguments, purpose, scope, duration).
    request_hash        varchar(80)    not null,
    status              varchar(16)    not null,
    policy_rule         varchar(128),
    reviewer_group      varchar(64),
    decided_by          varchar(128),
    decision_reason     varchar(1000),
    decided_at          timestamp with time zone,
    approved_scope      varchar(1000),
    approved_duration   integer,
    -- The request as approved; differs from request_hash when the reviewer shortened or narrowed it.
    approved_hash       varchar(80),
    -- The standing grant that approved it without a reviewer, if one did.
    grant_id            varchar(36),
    -- A standing grant the reviewer asked for with the approval (JSON), created when access is granted.
    grant_request       varchar(20000),
    receipt_id          varchar(64),
    receipt_token       varchar(8000),
    access_expires_at   timestamp with time zone,
    ended_by            varchar(128),
    end_reason          varchar(1000),
    ended_at            timestamp with time zone,
    use_count           integer        default 0 not null,
    created_at          timestamp with time zone not null,
    updated_at          timestamp with time zone not null
);

create index ix_agent_action_account on agent_action (account_id, created_at);
create index ix_agent_action_grant on agent_action (grant_id);

-- Standing grants: a reviewer's decision that matching requests of one account and agent are approved at once,
-- until the grant expires (30 days at most) or is revoked.
create table agent_grant (
    id                  varchar(36)    not null primary key,
    account_id          varchar(64)    not null,
    agent               varchar(64)    not null,
    tool                varchar(128)   not null,
    -- EXACT_ARGUMENTS, ARGUMENT_PATTERN or TOOL, narrowest first.
    kind                varchar(24)    not null,
    arguments_hash      varchar(80),
    pattern_json        varchar(16000),
    scope               varchar(1000)  not null,
    max_duration        integer        not null,
    created_by          varchar(128)   not null,
    reason              varchar(1000)  not null,
    source_action_id    varchar(36)    not null,
    created_at          timestamp with time zone not null,
    expires_at          timestamp with time zone not null,
    revoked_by          varchar(128),
    revoke_reason       varchar(1000),
    revoked_at          timestamp with time zone,
    use_count           integer        default 0 not null
);

create index ix_agent_grant_match on agent_grant (account_id, agent, tool, expires_at);
