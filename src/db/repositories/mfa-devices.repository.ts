import type { Database } from '../database.js';
import type { MfaDevicesTable } from '../schema.js';

export function createMfaDevicesRepository(db: Database) {
  return {
    insert: (device: MfaDevicesTable) => db.insertInto('mfa_devices').values(device).execute(),
    /** A new enrollment replaces the user's earlier pending ones (a new QR code invalidates the old secret). */
    deletePending: (userId: string) => db.deleteFrom('mfa_devices').where('user_id', '=', userId).where('status', '=', 'pending').execute(),
    findActive: (userId: string) =>
      db.selectFrom('mfa_devices').selectAll().where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst(),
    /** The active device and the user it belongs to, in one query (the login hot path). */
    findActiveWithUser: (userId: string) =>
      db
        .selectFrom('mfa_devices')
        .innerJoin('users', 'users.id', 'mfa_devices.user_id')
        .selectAll('mfa_devices')
        .select(['users.account_id', 'users.kind', 'users.email', 'users.username', 'users.display_name', 'users.disabled_at'])
        .where('mfa_devices.user_id', '=', userId)
        .where('mfa_devices.status', '=', 'active')
        .executeTakeFirst(),
    findPending: (id: string, userId: string) =>
      db.selectFrom('mfa_devices').selectAll().where('id', '=', id).where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirst(),
    /**
     * Confirm a pending enrollment. Conditional on the row still being pending and unexpired, and
     * the unique index on active devices refuses a second active one: two racing activations
     * cannot both win (myucto PR #69).
     */
    activate: async (input: { id: string; userId: string; lastUsedStep: number; driftSteps: number; now: number; ip: string | null; userAgent: string | null }) => {
      const result = await db
        .updateTable('mfa_devices')
        .set({ status: 'active', bound_at: input.now, expires_at: null, last_used_step: input.lastUsedStep, drift_steps: input.driftSteps, bound_ip: input.ip, bound_user_agent: input.userAgent })
        .where('id', '=', input.id)
        .where('user_id', '=', input.userId)
        .where('status', '=', 'pending')
        .where('expires_at', '>', input.now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /**
     * The replay guard of DESIGN.md §2.1: a step is accepted only if it is newer than every step
     * accepted before. One conditional UPDATE; 0 rows = replay (or a concurrent winner).
     */
    consumeStep: async (id: string, step: number, driftSteps: number) => {
      const result = await db
        .updateTable('mfa_devices')
        .set({ last_used_step: step, drift_steps: driftSteps })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .where('last_used_step', '<', step)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    remove: async (id: string, now: number) => {
      const result = await db.updateTable('mfa_devices').set({ status: 'removed', removed_at: now }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
export type MfaDevicesRepository = ReturnType<typeof createMfaDevicesRepository>;
