/** Retention (src/privacy/retention.ts): how long each kind of data is kept; 0 keeps it for ever. Runs once a UTC day. */
import { int, oneOf } from './validators.ts';
import { variable } from './variable.ts';

export const retentionVariables = {
  inboundEventsDays: variable('RETENTION_INBOUND_EVENTS_DAYS', int(30, 0, 36_500), 'Days the doors\' audit trail (inbound_events, with payloads) is kept; 0 = for ever.'),
  resolvedTicketsDays: variable('RETENTION_RESOLVED_TICKETS_DAYS', int(0, 0, 36_500), 'Days after its last change a resolved ticket is anonymised or deleted (RETENTION_RESOLVED_TICKETS_MODE); 0 = never.'),
  resolvedTicketsMode: variable('RETENTION_RESOLVED_TICKETS_MODE', oneOf(['anonymise', 'delete'] as const), 'What retention does to an old resolved ticket: anonymise (keeps category, timings, stats) or delete. Default anonymise.'),
  deadLettersDays: variable('RETENTION_DEAD_LETTERS_DAYS', int(30, 0, 36_500), 'Days dead letters and finished queue jobs are kept; 0 = pg-boss\'s own retention only.'),
  sessionsDays: variable('RETENTION_SESSIONS_DAYS', int(7, 0, 36_500), 'Days an expired console session row is kept; 0 = for ever.'),
  checkMinutes: variable('RETENTION_CHECK_MINUTES', int(60, 1, 1440), 'How often workers look whether today\'s retention run is still due (one instance runs it).'),
};
