-- name: upsert_subscription
insert into pipeline.subscriptions
    (handler, handler_group, table_name, status_column, from_status, to_status, max_attempts, active)
values
    (%(handler)s, %(handler_group)s, %(table_name)s, %(status_column)s, %(from_status)s,
     %(to_status)s, %(max_attempts)s, true)
on conflict (handler) do update
   set handler_group = excluded.handler_group,
       table_name = excluded.table_name,
       status_column = excluded.status_column,
       from_status = excluded.from_status,
       to_status = excluded.to_status,
       max_attempts = excluded.max_attempts,
       active = true,
       registered_at = now();

-- name: list_subscriptions
select handler, handler_group, table_name, status_column, from_status, to_status, max_attempts,
       active, registered_at
  from pipeline.subscriptions
 order by handler;
