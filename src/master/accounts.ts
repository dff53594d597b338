import { readFileSync } from 'node:fs';
import { MlserveError } from '../errors.js';

/** A user or group as /etc/passwd or /etc/group names it. */
export interface Account {
  readonly name: string | null;
  readonly id: number;
  /** A user's primary group; the group's own id for a group. */
  readonly gid: number;
}

/**
 * Finds `nameOrId` in the text of /etc/passwd (`kind: 'user'`) or /etc/group: a number is taken
 * as it is (its name when listed), a name must be listed. Pure; null when not found.
 *
 * @example findAccount('root:x:0:0:root:/root:/bin/bash\n', 'user', 'root') // { name: 'root', id: 0, gid: 0 }
 */
export function findAccount(text: string, kind: 'user' | 'group', nameOrId: string): Account | null {
  const rows = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  const numeric = /^\d+$/.test(nameOrId);
  const row = rows.find((r) => (numeric ? r[2] === nameOrId : r[0] === nameOrId));
  if (row) {
    const id = Number(row[2]);
    return { name: row[0]!, id, gid: kind === 'user' ? Number(row[3]) : id };
  }
  return numeric ? { name: null, id: Number(nameOrId), gid: Number(nameOrId) } : null;
}

/** A user (`kind: 'user'`) or group from the system's files; ERR_PRIVILEGES naming `key` when unknown. */
export function lookupAccount(kind: 'user' | 'group', nameOrId: string, key: string): Account {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!/^\d+$/.test(nameOrId)) throw new MlserveError('ERR_PRIVILEGES', `${key} = ${nameOrId}: cannot read ${file} to find it; give a number`, { cause: err });
  }
  const found = findAccount(text, kind, nameOrId);
  if (!found) throw new MlserveError('ERR_PRIVILEGES', `${key} = ${nameOrId}: no such ${kind} in ${file}`);
  return found;
}

/** `user`, `user:group`, `1000:1000` as chown-socket takes them: the ids, group defaulting to the user's. */
export function parseOwner(spec: string): { uid: number; gid: number } {
  const [user = '', group] = spec.split(':');
  const u = lookupAccount('user', user, 'chown-socket');
  const g = group === undefined || group === '' ? u.gid : lookupAccount('group', group, 'chown-socket').id;
  return { uid: u.id, gid: g };
}
