-- The shared approval gate: one row per time a playbook asks for approval of one exact action.
-- The policy's answer is stored here, not only in process variables, so the task listener and the
-- execution guard enforce what the policy said even if someone edits variables through engine-rest.

create table approval_request (
    id                   varchar(36)   not null primary key,
    response_id          varchar(36)   not null references response (id),
    purpose              varchar(64)   not null,
    action_fingerprint   varchar(80)   not null,
    policy_rule          varchar(128)  not null,
    policy_version       varchar(128)  not null,
    approver_group       varchar(64),
    escalation_group     varchar(64),
    required_approvals   integer       not null,
    escalate_after       varchar(32),
    expire_after         varchar(32),
    status               varchar(16)   not null,
    denied_reason        varchar(1000),
    escalated_at         timestamp with time zone,
    created_at           timestamp with time zone not null,
    decided_at           timestamp with time zone,
    receipt_id           varchar(64),
    receipt_token        varchar(8000),
    receipt_expires_at   timestamp with time zone
);

create index ix_approval_request_response on approval_request (response_id, created_at);

alter table approval_decision add column approval_request_id varchar(36);

-- Inputs of the approval policy and of separation of duties.
alter table nhi_identity add column privilege_level varchar(8);
alter table nhi_credential add column created_by varchar(128);
