/**
 * Agents' names and e-mails from Slack (users.info, through the service's gated client), cached in the agents
 * table. Best effort: a failed or slow lookup is logged and the assignment stands; the next one asks again.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { findAgent, saveAgentProfile } from '../../db/repositories/agents.ts';
import type { Sql } from '../../db/sql.ts';
import { isSlackUserId } from '../../domain/agent.ts';
import { cleanText } from '../../ingest/normalize.ts';
import { withTimeout } from '../../lib/timeout.ts';

/** A cached profile younger than this is used as is (people rename themselves rarely). */
const PROFILE_TTL_MS = 24 * 3600_000;
/** A click waits at most this long for users.info before it edits the card anyway. */
const LOOKUP_BUDGET_MS = 2000;

export interface AgentLookupDeps {
  sql: Sql;
  client: webApi.WebClient;
  logger: Logger;
}

/** Refreshes the cached profile of `slackUserId` when it is missing or stale. Never throws. */
export async function refreshAgent(deps: AgentLookupDeps, slackUserId: string): Promise<void> {
  if (!isSlackUserId(slackUserId)) return;
  try {
    const cached = await findAgent(deps.sql, slackUserId);
    if (cached?.lookedUpAt && Date.now() - cached.lookedUpAt.getTime() < PROFILE_TTL_MS) return;
    const res = await withTimeout(deps.client.users.info({ user: slackUserId }), LOOKUP_BUDGET_MS, () => new Error(`users.info: no answer within ${LOOKUP_BUDGET_MS} ms`));
    const user = res.user;
    if (!user) return;
    const name = firstText(user.profile?.display_name, user.real_name, user.profile?.real_name, user.name);
    const email = firstText(user.profile?.email);
    await saveAgentProfile(deps.sql, { slackUserId, name: name ? cleanText(name.slice(0, 255)) : null, email: email !== undefined && email.length <= 320 ? email : null });
  } catch (error) {
    deps.logger.warn({ err: error, slackUserId }, 'could not look up the Slack user: the assignment stands without a name');
  }
}

function firstText(...values: Array<string | undefined>): string | undefined {
  // Slack user profiles are free text: cleaned of what PostgreSQL cannot store.
  for (const v of values) {
    const clean = typeof v === 'string' ? cleanText(v).trim() : undefined;
    if (clean) return clean;
  }
  return undefined;
}
