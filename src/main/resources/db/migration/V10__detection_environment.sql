-- The environment each detection reported, so the approval policy is asked about the strictest of them (and of the
-- inventory's), whether the detection started the response or joined it. Older rows keep null: the response's own
-- environment, that of its first detection, stands for them.
alter table response_detection add column environment varchar(16);
