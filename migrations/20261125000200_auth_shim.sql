-- A stand-in for the few Supabase objects the workflow's row-level security relies on, so the same
-- migrations run on a plain PostgreSQL (tests, the embedded server) and on a Supabase project.
-- Every object is created only where it is missing: on Supabase the platform's own `auth` schema,
-- its functions and its roles already exist and are never replaced or altered.
--
-- The functions read the JWT claims PostgREST puts into transaction settings on each request:
-- `request.jwt.claims` (the whole claim set as JSON, current form) or `request.jwt.claim` /
-- `request.jwt.claim.<name>` (legacy form). A test or a trusted caller can impersonate a user with
--     set local role authenticated;
--     set local request.jwt.claims = '{"sub": "...", "role": "learner", "company_id": "..."}';

-- The API roles. Roles are cluster-wide, so two databases being migrated at the same time may both
-- see one missing; the loser of that race finds it created and carries on.
do $roles$
declare
    v_role text;
begin
    foreach v_role in array array['anon', 'authenticated', 'service_role'] loop
        if not exists (select 1 from pg_roles where rolname = v_role) then
            begin
                execute format('create role %I nologin noinherit', v_role);
                if v_role = 'service_role' then
                    -- Supabase's service key bypasses every policy; mirror that.
                    execute 'alter role service_role bypassrls';
                end if;
            exception when duplicate_object or unique_violation then
                raise notice 'role % was created concurrently; keeping it', v_role;
            end;
        end if;
    end loop;
end
$roles$;

do $schema$
begin
    if not exists (select 1 from pg_namespace where nspname = 'auth') then
        create schema auth;
        grant usage on schema auth to anon, authenticated, service_role;
    end if;
end
$schema$;

-- auth.jwt(): the request's claims as jsonb (NULL outside a request).
do $jwt$
begin
    if not exists (select 1 from pg_proc
                    where pronamespace = (select oid from pg_namespace where nspname = 'auth')
                      and proname = 'jwt'
                      and pronargs = 0) then
        create function auth.jwt() returns jsonb
        language sql stable as $fn$
            select coalesce(
                nullif(current_setting('request.jwt.claim', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')
            )::jsonb
        $fn$;
        comment on function auth.jwt() is
            'lxera-pipeline stand-in for Supabase auth.jwt(): the request''s JWT claims';
    end if;
end
$jwt$;

-- auth.uid(): the `sub` claim as uuid.
do $uid$
begin
    if not exists (select 1 from pg_proc
                    where pronamespace = (select oid from pg_namespace where nspname = 'auth')
                      and proname = 'uid'
                      and pronargs = 0) then
        create function auth.uid() returns uuid
        language sql stable as $fn$
            select coalesce(
                nullif(current_setting('request.jwt.claim.sub', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
            )::uuid
        $fn$;
        comment on function auth.uid() is
            'lxera-pipeline stand-in for Supabase auth.uid(): the JWT sub claim';
    end if;
end
$uid$;

-- auth.role(): the `role` claim (the PostgreSQL role PostgREST switched to).
do $role$
begin
    if not exists (select 1 from pg_proc
                    where pronamespace = (select oid from pg_namespace where nspname = 'auth')
                      and proname = 'role'
                      and pronargs = 0) then
        create function auth.role() returns text
        language sql stable as $fn$
            select coalesce(
                nullif(current_setting('request.jwt.claim.role', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
            )::text
        $fn$;
        comment on function auth.role() is
            'lxera-pipeline stand-in for Supabase auth.role(): the JWT role claim';
    end if;
end
$role$;

-- The API roles reach `public` (row-level security decides which rows); they never get usage on
-- the `pipeline` schema, so neither PostgREST nor a user's SQL can see events or deliveries.
grant usage on schema public to anon, authenticated, service_role;
