-- W1's write set as hand-written SQL, for pgbench (-M prepared): what one 100-item sync batch
-- asks of PostgreSQL with no server in the path. The same rows as the peer's W1-lean.sql: caller
-- org = client_id % 40 + 1 (clients never share rows), a window of 100 of its 500 externalIds,
-- new name, description and scores. Variables: -D actor=<user id> -D label=<its email>.
--
-- write_set.sh assembles variants from the parts between "--@ <part>" and "--@ end"; lines
-- outside a part are in every variant:
--   read   the stored rows the sync plan diffs against (all columns, by owner and externalId)
--   ledger one ledger entry per touchpoint, with the changed fields before and after (it is
--          the audit entry and the change feed's row at once)
\set o :client_id % 40 + 1
\set r random(1, 1000000)
\set lo random(0, 4) * 100
\set hi :lo + 99
begin;
--@ read
select * from touchpoints
  where owner_id = ('00000001-0000-4000-8000-' || lpad(to_hex(:o::int), 12, '0'))::uuid
    and external_id = any(array(select 'tp-' || lpad(k::text, 4, '0') from generate_series(:lo::int, :hi::int) k));
--@ end
with v as (
  select 'tp-' || lpad(k::text, 4, '0') ext, 'Touchpoint ' || k || ' synced r' || :r::int nm,
         'Synced by partner job round ' || :r::int de,
         1 + (k + :r::int) % 5 imp, 1 + (3 * k + :r::int) % 5 urg, 1 + (7 * k + :r::int) % 5 mat,
         1 + (k + 2 * :r::int) % 5 eff, 1 + (11 * k + :r::int) % 5 ben
  from generate_series(:lo::int, :hi::int) k),
u as (
  update touchpoints t set name = v.nm, description = v.de, importance = v.imp, urgency = v.urg,
    maturity = v.mat, effort = v.eff, benefit = v.ben,
    priority_score = round((2 * v.imp + v.urg + v.mat) / 4.0 * v.ben / v.eff * 100),
    version = t.version + 1, updated_at = now()
  from v
  where t.owner_id = ('00000001-0000-4000-8000-' || lpad(to_hex(:o::int), 12, '0'))::uuid and t.external_id = v.ext
  returning t.id, t.brand_id, t.owner_id, t.version, v.nm, v.de, v.imp, v.urg, v.ben, t.priority_score)
--@ ledger
, l as (
  insert into ledger_entries (tx_id, at, actor_kind, actor_id, actor_label, organization_id, brand_id,
                              action, entity_type, entity_id, version, kind, via, changes)
  select pg_current_xact_id()::text::bigint, now(), 'USER', :actor::uuid, :label::text, u.owner_id,
         u.brand_id, 'touchpoint.update', 'Touchpoint', u.id, u.version, 'UPDATED', 'SYNC',
         json_build_object('benefit', json_build_array(1 + u.ben % 5, u.ben),
                           'description', json_build_array('Synced earlier', u.de),
                           'importance', json_build_array(1 + u.imp % 5, u.imp),
                           'name', json_build_array('Touchpoint synced earlier', u.nm),
                           'priorityScore', json_build_array(u.priority_score + 25, u.priority_score),
                           'urgency', json_build_array(1 + u.urg % 5, u.urg))
  from u)
--@ end
select count(*) from u;
select pg_notify('touchpoint_changes', 'batch');
commit;
