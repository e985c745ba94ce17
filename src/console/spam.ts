/**
 * Spam (/console/spam): the blocked senders (who blocked them, when, how many messages were kept since) and the
 * messages kept as spam, newest first. Agents block an address or a domain and end blocks here with the same
 * commands /api/v1/sender-blocks uses; viewers read. A refused block (our own address, gmail.com) says why.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { listBlocks, listSpam, type SenderBlockRow, type SpamMessage } from '../db/repositories/sender-blocks.ts';
import { BlockRefused } from '../domain/sender-block.ts';
import type { SenderBlocks } from '../ingest/sender-blocks.ts';
import { HttpError } from '../lib/http-error.ts';
import { html } from '../lib/html.ts';
import { shown, when } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';
import { actorOf } from './ticket.ts';

const PATH = '/console/spam';

function view(user: ConsoleUser, blocks: SenderBlockRow[], spam: SpamMessage[], notice?: { problem: boolean; text: string }) {
  const agent = user.role !== 'viewer';
  return page({
    title: 'Spam',
    user,
    active: 'spam',
    body: html`<h1>Spam</h1>
      ${notice ? html`<div class="notice${notice.problem ? ' problem' : ''}" role="${notice.problem ? 'alert' : 'status'}">${notice.text}</div>` : ''}
      <div class="ticket">
        <section>
          <h2>Blocked senders</h2>
          ${blocks.length === 0
            ? html`<div class="card empty">Nobody is blocked.</div>`
            : html`<table aria-label="Blocked senders"><thead><tr><th>Sender</th><th>Blocked</th><th>Kept as spam</th>${agent ? html`<th></th>` : ''}</tr></thead><tbody>${blocks.map((b) => html`<tr>
                <td data-label="Sender"><strong>${b.kind === 'domain' ? `everyone at ${b.value}` : b.value}</strong></td>
                <td data-label="Blocked">${when(b.createdAt)} by ${b.blockedBy}${b.ticketId === null ? '' : html` from <a href="/console/tickets/${String(b.ticketId)}">#${String(b.ticketId)}</a>`}</td>
                <td data-label="Kept as spam">${String(b.suppressed)}${b.lastSuppressedAt ? html`, last ${when(b.lastSuppressedAt)}` : ''}</td>
                ${agent ? html`<td><form method="post" action="${PATH}/${String(b.id)}/unblock" class="inline"><input type="hidden" name="_csrf" value="${user.csrfToken}"><button class="link">Unblock</button></form></td>` : ''}
              </tr>`)}</tbody></table>`}
          <h2>Messages kept as spam</h2>
          ${spam.length === 0
            ? html`<div class="card empty">No spam kept.</div>`
            : html`<table aria-label="Messages kept as spam"><thead><tr><th>When</th><th>Door</th><th>From</th><th>Subject</th></tr></thead><tbody>${spam.map((m) => html`<tr>
                <td>${when(m.receivedAt)}</td><td data-label="Door">${m.door}</td>
                <td data-label="From">${shown(m.name ? `${m.name} <${m.from ?? ''}>` : m.from ?? '', 120)}</td>
                <td class="subject" data-label="Subject">${shown(m.subject ?? '(no subject)', 160)}<div class="excerpt">${shown(m.excerpt ?? '', 200)}</div></td>
              </tr>`)}</tbody></table>`}
        </section>
        <aside>${agent
          ? html`<section class="card"><h2>Block a sender</h2>
              <p class="muted">Their messages are kept here and make no ticket, alert or reply. A domain blocks every address there and at its subdomains.</p>
              <form method="post" action="${PATH}" class="stack"><input type="hidden" name="_csrf" value="${user.csrfToken}">
                <label>Kind<select name="kind"><option value="email">address</option><option value="domain">domain</option></select></label>
                <label>Address or domain<input name="value" maxlength="320" required></label>
                <div class="row"><button>Block</button></div>
              </form></section>`
          : html`<p class="muted">Blocking needs the agent role.</p>`}</aside>
      </div>`,
  });
}

export function spamRouter(deps: { db: Database; blocks: SenderBlocks }): Router {
  const router = new Router({ prefix: PATH, sensitive: true });
  const userOf = (ctx: Context) => (ctx.state as ConsoleState).user!;
  const render = async (ctx: Context, notice?: { problem: boolean; text: string }) => {
    ctx.status = notice?.problem ? 422 : 200;
    ctx.body = view(userOf(ctx), await listBlocks(deps.db.sql), await listSpam(deps.db.sql), notice).value;
  };

  router.get('/', (ctx) => render(ctx));
  router.post('/', async (ctx) => {
    const user = userOf(ctx);
    requireRole(user, 'agent');
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const kind = body.kind === 'domain' ? 'domain' : 'email';
    try {
      const made = await deps.blocks.block(kind, typeof body.value === 'string' ? body.value : '', actorOf(user));
      await render(ctx, { problem: false, text: made.created ? `Blocked ${made.block.value}.` : `${made.block.value} was blocked already.` });
    } catch (error) {
      if (!(error instanceof BlockRefused)) throw error;
      await render(ctx, { problem: true, text: `Not blocked: ${error.message}.` });
    }
  });
  router.post('/:id/unblock', async (ctx) => {
    const user = userOf(ctx);
    requireRole(user, 'agent');
    if (!/^\d{1,9}$/.test(ctx.params.id ?? '')) throw new HttpError(404, 'No such block.');
    const ended = await deps.blocks.unblock(Number(ctx.params.id), actorOf(user));
    await render(ctx, ended ? { problem: false, text: 'Unblocked: new messages make tickets again.' } : { problem: true, text: 'That block had ended already.' });
  });
  return router;
}
