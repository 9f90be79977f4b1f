-- The system that holds an identity and that its approved actions change: a configured target
-- (countersign.targets.<name>), or Countersign's own inventory tables, the default.
alter table nhi_identity add column target varchar(64) default 'inventory' not null;
