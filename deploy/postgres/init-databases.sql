-- One database per service: each Lianxin service owns its data and reaches the
-- others only through RabbitMQ events.
--
-- Run by the postgres image's entrypoint (as POSTGRES_USER) the first time the
-- data volume is initialised; it is not re-run on later starts (an office whose volume predates a
-- database creates it by hand: docs/operations.md, "With Docker Compose").

CREATE DATABASE intake;
CREATE DATABASE dispatch;
CREATE DATABASE supervision;
CREATE DATABASE scoring;
CREATE DATABASE accounts;
CREATE DATABASE notifications;
