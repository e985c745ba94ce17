/**
 * Agents are Slack users: a ticket's assignee is a Slack user id. The name and e-mail are what the workspace
 * shared through users.info when we last asked (either may be null).
 */
export interface Agent {
  slackUserId: string;
  name: string | null;
  email: string | null;
}

/** Slack user ids: U… (or W… on Enterprise Grid), upper-case letters and digits. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;

export function isSlackUserId(value: unknown): value is string {
  return typeof value === 'string' && SLACK_USER_ID.test(value);
}

/** The members (user ids) of a Slack user group, as the Slack adapter reads them; console roles may name groups. */
export type GroupMembers = (groupId: string) => Promise<ReadonlySet<string>>;
