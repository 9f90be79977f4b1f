-- When, and by whom, each group membership was granted, as the engine's own membership table does not say. A
-- membership without a row predates this record (created before it existed) and counts as granted long ago.
create table membership_grant (
    user_id    varchar(255) not null,
    group_id   varchar(255) not null,
    granted_at timestamp with time zone not null,
    granted_by varchar(255),
    primary key (user_id, group_id)
);
