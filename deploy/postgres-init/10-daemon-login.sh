#!/bin/sh
# Runs once, when the compose PostgreSQL initialises its data directory (docker-entrypoint-initdb.d):
# creates the daemons' login user as a member of lxera_daemon. The role itself is created here too
# if the migrations have not yet run; migration 20261125000730_daemon_role.sql gives it exactly the
# privileges the daemon needs. The password comes from deploy/.env, never from this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v daemon_user="$LXERA_DAEMON_USER" -v daemon_password="$LXERA_DAEMON_PASSWORD" <<'SQL'
select 'create role lxera_daemon nologin'
 where not exists (select from pg_roles where rolname = 'lxera_daemon') \gexec
create role :"daemon_user" login password :'daemon_password' in role lxera_daemon;
SQL
