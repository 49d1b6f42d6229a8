-- Schema 1 -> 2 of the results history (sqlite.sh runs it inside the
-- recording transaction, so a failed migration leaves version 1 intact).
-- The new tables come from sqlite-schema.sql (CREATE ... IF NOT EXISTS).
ALTER TABLE runs ADD COLUMN runner TEXT;
ALTER TABLE runs ADD COLUMN nic_firmware TEXT;
ALTER TABLE runs ADD COLUMN nic_bus TEXT;
ALTER TABLE runs ADD COLUMN nic_restore TEXT;
ALTER TABLE runs ADD COLUMN series TEXT;
ALTER TABLE runs ADD COLUMN branch TEXT;
ALTER TABLE runs ADD COLUMN head TEXT;
ALTER TABLE runs ADD COLUMN base TEXT;
ALTER TABLE runs ADD COLUMN role TEXT;
ALTER TABLE runs ADD COLUMN flakes INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET runner = 'vm-' || coalesce(backend, 'qemu') || '@' || coalesce(host, 'unknown');
UPDATE schema_version SET version = 2;
