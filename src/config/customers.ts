/** Customers and companies (src/ingest/customers.ts, src/ingest/companies.ts). */
import { int, list } from './validators.ts';
import { variable } from './variable.ts';

export const customerVariables = {
  freeMailDomains: variable(
    'CUSTOMER_FREE_MAIL_DOMAINS',
    list,
    'More free-mail domains (comma-separated) that can never be a company\'s, beside the bundled free-mail and disposable lists.',
  ),
  relatedDays: variable('CUSTOMER_RELATED_DAYS', int(30, 1, 3650), 'How far back a ticket of the same customer with a similar subject counts as possibly related.'),
};
