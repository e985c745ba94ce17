/**
 * Who is in a Slack user group (usergroups.users.list, scope usergroups:read), for console roles given to a
 * group (CONSOLE_ADMINS=S0123ABCD). A group's members are remembered for five minutes, so sign-ins and Home
 * tab openings cost at most one call per group in that time; a lookup that fails keeps the members last
 * read (none the first time): a Slack outage gives nobody a role they did not have, and ends no session.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { GroupMembers } from '../../domain/agent.ts';
import { describeError } from './errors.ts';

export function userGroupMembers(client: webApi.WebClient, logger: Logger, ttlMs = 5 * 60_000): GroupMembers {
  const known = new Map<string, { at: number; members: ReadonlySet<string> }>();
  return async (groupId) => {
    const hit = known.get(groupId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.members;
    try {
      const res = await client.usergroups.users.list({ usergroup: groupId });
      const members: ReadonlySet<string> = new Set(res.users ?? []);
      known.set(groupId, { at: Date.now(), members });
      return members;
    } catch (error) {
      logger.warn({ groupId, err: describeError(error) }, 'slack user group not readable: its members get no role from it now');
      return hit?.members ?? new Set();
    }
  };
}
