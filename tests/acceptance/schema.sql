-- The acceptance tests' own tracked table and the effects their handlers record.
-- acc_effects is deliberately NOT unique per (event, handler): a double effect shows up as a second
-- row that the tests count, instead of being turned into a handler error by a constraint.
create table public.acc_jobs (
    id          uuid primary key,
    company_id  uuid,
    status      text not null,
    pause       double precision not null default 0,  -- seconds the slow handler sleeps, attempt 1
    repause     double precision not null default 0   -- seconds it sleeps on later attempts
);

create table public.acc_effects (
    effect_id    bigint generated always as identity primary key,
    event_id     bigint not null,
    handler      text not null,
    entity_id    uuid not null,
    seq          integer not null,   -- 1, 2, ... per entity, in the order effects committed
    attempt      integer not null,
    pid          integer not null,   -- the daemon process that committed the effect
    recorded_at  timestamptz not null default clock_timestamp()
);

select pipeline.allow_transitions('acc_jobs', 'status', array[
    ['new', 'ping'], ['ping', 'pong'], ['pong', 'ping'], ['new', 'slow'], ['new', 'poison']
]);
select pipeline.track_status('public.acc_jobs', 'status', 'id');
