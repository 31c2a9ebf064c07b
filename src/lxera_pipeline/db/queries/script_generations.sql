-- Script generations (lxera_pipeline.data.script_generations): one row per script written for a
-- media session. Content and company come from the session.

-- name: insert_script_generation
insert into public.mm_script_generations
    (session_id, content_id, company_id, section_name, backend, model, prompt_tokens,
     completion_tokens, total_tokens, token_source, duration_seconds, status, error_message, script_asset_id,
     slides, words)
select s.session_id, s.content_id, s.company_id, %(section_name)s, %(backend)s, %(model)s,
       %(prompt_tokens)s, %(completion_tokens)s,
       %(prompt_tokens)s + %(completion_tokens)s, %(token_source)s, %(duration_seconds)s,
       %(status)s, %(error_message)s, %(script_asset_id)s, %(slides)s, %(words)s
  from public.mm_multimedia_sessions s
 where s.session_id = %(session_id)s
returning *;

-- name: list_script_generations
select * from public.mm_script_generations
 where session_id = %(session_id)s
 order by created_at, generation_id;
