-- Countersigned changes to the models the engine runs (BPMN, DMN, forms). A change is staged as a complete model set,
-- every file's content and hash, so what is deployed is byte for byte what the approver approved, and a change
-- staged against models that changed since is refused at apply rather than silently undoing the other change.
create table model_change (
    id               varchar(36)     not null primary key,
    response_id      varchar(36)     not null references response (id),
    requested_by     varchar(128)    not null,
    summary          varchar(500)    not null,
    base_fingerprint varchar(80)     not null,
    fingerprint      varchar(80)     not null,
    diff             varchar(100000) not null,
    deployment_id    varchar(64),
    created_at       timestamp with time zone not null
);

create unique index ux_model_change_response on model_change (response_id);

create table model_change_resource (
    change_id varchar(36)     not null references model_change (id),
    name      varchar(255)    not null,
    sha256    varchar(80)     not null,
    changed   boolean         not null,
    content   varchar(1000000) not null,
    primary key (change_id, name)
);
