-- Supabase Storage: each company reaches only its own folder of the media bucket.
--
-- The pipeline stores every object of a company under `<company_id>/` in the bucket
-- `multimedia-assets` (`<company_id>/<asset_type>/<section>/<stamp>_<file>`); it uploads with the
-- service-role key, which bypasses these policies. Through the API roles:
--   super_admin    every object of the bucket
--   company_admin  reads, adds, replaces and removes objects under its own company's folder
--   learner        reads objects under its own company's folder
--   anon           nothing (no policy admits it; the bucket is private by default)
-- The company and role come from the JWT claims exactly as in the row-level security migration
-- (top level or app_metadata). A deployment that stores media in another bucket needs the same
-- policies for that bucket.
--
-- Applied only where the `storage` schema exists (Supabase); on a plain PostgreSQL this file does
-- nothing. Storage's own objects are never created or replaced here.
do $storage_policies$
declare
    v_bucket constant text := 'multimedia-assets';
    v_role constant text := $sql$(select coalesce(auth.jwt() -> 'app_metadata' ->> 'role',
                                                   auth.jwt() ->> 'role'))$sql$;
    v_company constant text := $sql$(select nullif(coalesce(
                                        auth.jwt() -> 'app_metadata' ->> 'company_id',
                                        auth.jwt() ->> 'company_id'), ''))$sql$;
    v_in_bucket text := format('bucket_id = %L', v_bucket);
    v_folder text := format('(storage.foldername(name))[1] = %s', v_company);
    v_super text := format('%s = %L', v_role, 'super_admin');
    v_member text := format('%s in (%L, %L) and %s', v_role, 'company_admin', 'learner', v_folder);
    v_admin text := format('%s = %L and %s', v_role, 'company_admin', v_folder);
    v_read text := format('%s and (%s or (%s))', v_in_bucket, v_super, v_member);
    v_write text := format('%s and (%s or (%s))', v_in_bucket, v_super, v_admin);
begin
    if pg_catalog.to_regclass('storage.objects') is null
       or pg_catalog.to_regprocedure('storage.foldername(text)') is null then
        raise notice 'no Supabase Storage schema here: storage policies not applied';
        return;
    end if;
    execute 'drop policy if exists media_company_folder_read on storage.objects';
    execute 'drop policy if exists media_company_folder_insert on storage.objects';
    execute 'drop policy if exists media_company_folder_update on storage.objects';
    execute 'drop policy if exists media_company_folder_delete on storage.objects';
    execute format('create policy media_company_folder_read on storage.objects '
                   'for select to authenticated using (%s)', v_read);
    execute format('create policy media_company_folder_insert on storage.objects '
                   'for insert to authenticated with check (%s)', v_write);
    execute format('create policy media_company_folder_update on storage.objects '
                   'for update to authenticated using (%s) with check (%s)', v_write, v_write);
    execute format('create policy media_company_folder_delete on storage.objects '
                   'for delete to authenticated using (%s)', v_write);
end
$storage_policies$;
