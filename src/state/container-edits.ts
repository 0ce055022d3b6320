// Changes to a container's record after create: its name (rename) and its characteristics
// (update). The engine owns the spec document's shape; this module only writes it.
import type { Db } from './db.js';

export function renameContainerRow(db: Db, id: string, name: string): void {
  db.prepare('UPDATE containers SET name = ? WHERE id = ?').run(name, id);
}

export function replaceContainerSpec(db: Db, id: string, spec: unknown): void {
  db.prepare('UPDATE containers SET spec = ? WHERE id = ?').run(JSON.stringify(spec), id);
}
