"""On PostgreSQL, audit rows can never be updated, and deleted only when older than 6 months (purge).

A trigger rather than REVOKE: it holds for every role, including the owner the application connects as.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION '审计事件不可修改（audit events are append-only）';
  END IF;
  IF TG_OP = 'DELETE' AND OLD.at > now() - interval '6 months' THEN
    RAISE EXCEPTION '不满 6 个月的审计事件不可删除（audit events younger than 6 months are kept）';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;
CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard_truncate();
"""

TRUNCATE_FN = """
CREATE OR REPLACE FUNCTION audit_event_guard_truncate() RETURNS trigger AS $$
BEGIN
  -- Only a database explicitly marked as disposable (the test database) may be emptied.
  IF coalesce(current_setting('ssj.allow_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '审计事件不可清空（audit events cannot be truncated）';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_guard();
DROP FUNCTION IF EXISTS audit_event_guard_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_FN)
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_tamper_evident_chain")]
    operations = [migrations.RunPython(forward, backward)]
