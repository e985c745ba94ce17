/**
 * The Slack budgets in /metrics and /health: per method (and per channel for posts) the tokens left, the
 * calls a minute kept to, the calls waiting by priority and the oldest wait; per method the calls that went
 * to Slack, that Slack answered 429, and that were held back here; per channel the posts queued.
 * Gauges are read when Prometheus scrapes (collect), so nothing is kept twice.
 */
import { Gauge, type Registry } from 'prom-client';
import { PRIORITIES, type SlackBudget } from './budget.ts';
import type { ChannelPacer } from './pacer.ts';
import type { SlackRateGate } from './rate-gate.ts';

export function registerSlackMetrics(registry: Registry, budget: SlackBudget, gate: SlackRateGate, pacer: ChannelPacer): void {
  const labelNames = ['method', 'channel'] as const;
  new Gauge({
    name: 'slack_budget_tokens', help: 'Calls that may go to Slack now without waiting, per method (and channel for posts)', labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const l of budget.lanes()) this.set({ method: l.method, channel: l.channel ?? '' }, Math.max(0, Math.floor(l.tokens)));
    },
  });
  new Gauge({
    name: 'slack_budget_calls_per_minute', help: 'The budget this instance keeps to, per method (and channel for posts)', labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const l of budget.lanes()) this.set({ method: l.method, channel: l.channel ?? '' }, l.per_minute);
    },
  });
  new Gauge({
    name: 'slack_budget_waiting', help: 'Calls waiting for their budget, by priority', labelNames: ['method', 'channel', 'priority'], registers: [registry],
    collect() {
      this.reset();
      for (const l of budget.lanes()) {
        for (const p of PRIORITIES) this.set({ method: l.method, channel: l.channel ?? '', priority: p }, l.waiting[p] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'slack_budget_oldest_wait_seconds', help: 'How long the oldest call waiting for its budget has waited', labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const l of budget.lanes()) this.set({ method: l.method, channel: l.channel ?? '' }, l.oldest_wait_ms / 1000);
    },
  });
  new Gauge({
    name: 'slack_api_calls', help: 'Web API calls since start, by method and outcome (sent, rate_limited by Slack, held_back here)',
    labelNames: ['method', 'outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [method, c] of gate.countsByMethod) {
        this.set({ method, outcome: 'sent' }, c.sent);
        this.set({ method, outcome: 'rate_limited' }, c.rateLimited);
        this.set({ method, outcome: 'held_back' }, c.heldBack);
      }
    },
  });
  new Gauge({
    name: 'slack_channel_queue', help: 'Posts queued or running per channel (alerts, notes)', labelNames: ['channel'], registers: [registry],
    collect() {
      this.reset();
      for (const [channel, n] of Object.entries(pacer.backlog())) this.set({ channel }, n);
    },
  });
}

/** For /health's checks.slack.budgets and the console's health page: only lanes in use or short. */
export function budgetSummary(budget: SlackBudget) {
  return budget.lanes()
    .filter((l) => Object.keys(l.waiting).length > 0 || l.tokens < 1)
    .map((l) => ({ method: l.method, ...(l.channel ? { channel: l.channel } : {}), per_minute: l.per_minute, waiting: l.waiting, oldest_wait_s: Math.round(l.oldest_wait_ms / 1000) }));
}
