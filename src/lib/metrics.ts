/** Prometheus metrics. One registry per service instance (no global default registry), so tests can run many. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  ingested: Counter<'source' | 'outcome'>;
  classified: Counter<'classifier' | 'category'>;
  classificationSeconds: Histogram<'classifier'>;
  queueBacklog: Gauge<'queue'>;
  deadLetters: Gauge<'queue'>;
  /** Per support mailbox (label `mailbox`, its configured id). */
  imapUp: Gauge<'mailbox'>;
  imapBacklog: Gauge<'mailbox'>;
  imapLastFetch: Gauge<'mailbox'>;
  imapMail: Counter<'mailbox' | 'outcome'>;
  doorLastAccepted: Gauge<'door'>;
  doorLastRejected: Gauge<'door'>;
  doorRejections: Counter<'door' | 'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ingested: new Counter({
      name: 'tickets_ingested_total',
      help: 'Inbound messages stored, by source and outcome (created, followup, duplicate)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    classified: new Counter({
      name: 'tickets_classified_total',
      help: 'Classifications stored, by classifier and category',
      labelNames: ['classifier', 'category'],
      registers: [registry],
    }),
    classificationSeconds: new Histogram({
      name: 'classification_duration_seconds',
      help: 'Time a classifier took per ticket',
      labelNames: ['classifier'],
      buckets: [0.0005, 0.001, 0.005, 0.05, 0.25, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueBacklog: new Gauge({
      name: 'job_queue_backlog',
      help: 'Jobs waiting in a queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: 'job_dead_letters',
      help: 'Jobs that exhausted their retries and wait for an operator (npm run dead-letters), by the queue they failed on',
      labelNames: ['queue'],
      registers: [registry],
    }),
    imapUp: new Gauge({
      name: 'imap_mailbox_up',
      help: 'Support mailbox: 1 while this instance reads it, 0 otherwise (failing, connecting, or standby while another instance reads it: max by (mailbox) over instances)',
      labelNames: ['mailbox'],
      registers: [registry],
    }),
    imapBacklog: new Gauge({
      name: 'imap_mailbox_backlog',
      help: 'Support mailbox: mails above the cursor not handled yet',
      labelNames: ['mailbox'],
      registers: [registry],
    }),
    imapLastFetch: new Gauge({
      name: 'imap_mailbox_last_fetch_timestamp_seconds',
      help: 'Support mailbox: when it was last read to the end (Unix time)',
      labelNames: ['mailbox'],
      registers: [registry],
    }),
    imapMail: new Counter({
      name: 'imap_mail_total',
      help: 'Mails handled per support mailbox, by outcome (created, followup, duplicate, ignored, failed)',
      labelNames: ['mailbox', 'outcome'],
      registers: [registry],
    }),
    doorLastAccepted: new Gauge({
      name: 'intake_door_last_accepted_timestamp_seconds',
      help: 'When a door (rest, webhook:<provider>, imap:<mailbox>) last took something in, Unix time; 0 = not since start',
      labelNames: ['door'],
      registers: [registry],
    }),
    doorLastRejected: new Gauge({
      name: 'intake_door_last_rejected_timestamp_seconds',
      help: 'When a door last refused something (a bad signature, an invalid body, a failed mailbox login), Unix time; 0 = not since start',
      labelNames: ['door'],
      registers: [registry],
    }),
    doorRejections: new Counter({
      name: 'intake_door_rejections_total',
      help: 'What the doors refused, by door and reason (unauthorized, invalid, too_large, rate_limited, login, ignored, failed ...)',
      labelNames: ['door', 'reason'],
      registers: [registry],
    }),
  };
}
