-- The approval step: a module flagged requires_approval waits, once the quality gate approved
-- it, for an approver's status change before its media starts.
--
-- cm_module_content.approval_status is a tracked status column (events like any other):
--   not_required -> pending      the gate approved a module that requires approval (pipeline)
--   pending -> approved          an approver (company admin / super admin, through the API)
--                                accepts it: the event starts the media session
--   pending -> rejected          the approver declines: no media; an edit sends it back
--   approved | rejected -> pending   an edit re-entered the quality gate: approve again
-- requires_approval and approval_status are writable through the API (row-level security
-- already limits writes to the company's admins; learners write nothing).

alter table public.cm_module_content
    add column requires_approval boolean not null default false,
    add column approval_status text not null default 'not_required'
        constraint cm_module_content_approval_status_check
        check (approval_status in ('not_required', 'pending', 'approved', 'rejected'));
grant insert (requires_approval, approval_status), update (requires_approval, approval_status)
    on public.cm_module_content to anon, authenticated;
create index cm_module_content_approval_pending_idx on public.cm_module_content (company_id)
    where approval_status = 'pending';

select pipeline.allow_transitions('cm_module_content', 'approval_status', array[
    ['new', 'not_required'], ['new', 'pending'], ['not_required', 'pending'],
    ['pending', 'approved'], ['pending', 'rejected'], ['approved', 'pending'],
    ['rejected', 'pending']]);
select pipeline.track_status('public.cm_module_content', 'approval_status', 'content_id');
-- Only changes are events: a new module's approval_status needs none (every module insert would
-- otherwise pay for a second event row), so the trigger fires on UPDATE alone
-- (events/statuses.py UPDATE_ONLY_COLUMNS). A module starts 'not_required' or 'pending'.
create or replace trigger cm_module_content_approval_status_event
    after update of approval_status on public.cm_module_content
    for each row execute function pipeline.emit_cm_module_content_approval_status();
-- Without the insert trigger the initial status is checked here, with the state machine's error.
create function pipeline.check_initial_approval_status() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_allowed text;
begin
    if exists (select 1 from pipeline.transitions t
                where t.table_name = 'cm_module_content' and t.status_column = 'approval_status'
                  and t.from_status = 'new' and t.to_status = new.approval_status) then
        return new;
    end if;
    select string_agg(t.to_status, ', ' order by t.to_status) into v_allowed
      from pipeline.transitions t
     where t.table_name = 'cm_module_content' and t.status_column = 'approval_status'
       and t.from_status = 'new';
    raise exception 'illegal initial cm_module_content.approval_status on cm_module_content row %: % (allowed: %)',
        new.content_id, new.approval_status, v_allowed
        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
              hint = format('a new cm_module_content row may start as: %s', v_allowed);
end
$$;
create trigger cm_module_content_approval_status_initial
    before insert on public.cm_module_content
    for each row execute function pipeline.check_initial_approval_status();

-- An API edit that sends approved or published content back to the quality gate also asks for
-- approval again (redefines 20261125001000's function, adding that one statement).
create or replace function pipeline.keep_content_revision() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_api constant boolean := pipeline.api_role_writes();
begin
    if not pipeline.content_edited(old, new) then
        return null;
    end if;
    insert into public.cm_module_content_revisions
        (content_id, company_id, version, replaced_by_version, status, introduction,
         core_content, practical_applications, case_studies, assessments, edited_by,
         edited_via)
    values
        (old.content_id, old.company_id, old.version, new.version, old.status,
         old.introduction, old.core_content, old.practical_applications, old.case_studies,
         old.assessments, case when v_api then auth.uid() end,
         case when v_api then 'api' else 'pipeline' end);
    if v_api and new.status in ('approved', 'published') then
        update public.cm_module_content
           set status = 'quality_check',
               approval_status = case when approval_status in ('approved', 'rejected')
                                      then 'pending' else approval_status end
         where content_id = new.content_id;
    end if;
    return null;
end
$$;
