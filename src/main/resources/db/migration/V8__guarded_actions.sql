-- What the policy allows besides a plain approve/reject, stored with the request so the task listener enforces it
-- whatever a process variable says.
alter table approval_request add column contain_first boolean default false not null;
alter table approval_request add column required_group varchar(64);
alter table approval_request add column rollback_window varchar(32);
alter table approval_request add column options varchar(256);

-- A narrowed proposal, a monitoring period or a confirmed fallback path, as the approver submitted it (JSON).
alter table approval_decision add column details varchar(16000);

-- Every action a playbook staged for a response: the one awaiting approval, a containment applied before the
-- decision, a restore or release staged later. Apply, verify and rollback read the action from here, never from a
-- process variable, and the receipt that authorised it is kept for undoing it.
create table action_execution (
    id                  varchar(36)   not null primary key,
    response_id         varchar(36)   not null references response (id),
    purpose             varchar(64)   not null,
    action_type         varchar(64)   not null,
    target              varchar(128)  not null,
    action_json         varchar(16000) not null,
    fingerprint         varchar(80)   not null,
    connector           varchar(32)   not null,
    status              varchar(16)   not null,
    approval_request_id varchar(36),
    receipt_token       varchar(8000),
    created_at          timestamp with time zone not null,
    updated_at          timestamp with time zone not null
);

create index ix_action_execution_response on action_execution (response_id, purpose, created_at);
