-- Which approval request each approval task decides, recorded by the gate when the task is created. The task
-- listener reads the request from here at completion, never from a process variable or the business key.
create table approval_task (
    task_id     varchar(64)  not null primary key,
    request_id  varchar(36)  not null references approval_request (id),
    response_id varchar(36)  not null references response (id),
    created_at  timestamp with time zone not null
);

create index ix_approval_task_request on approval_task (request_id);
