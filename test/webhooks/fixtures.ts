/**
 * Payloads shaped like each provider's documented examples (ids, field names and nesting as the provider
 * sends them). Tests vary ids/texts through `opts`; test/kit/signing.ts signs them the way the provider does.
 */

export interface TicketOpts {
  id: string;
  subject?: string;
  html?: string;
  email?: string;
  name?: string;
}

const defaults = (o: TicketOpts) => ({
  subject: o.subject ?? 'Cannot log in after password reset',
  html: o.html ?? '<p>Hi team,</p><p>Since resetting my password I get <b>"Invalid credentials"</b> on every login.</p>',
  email: o.email ?? 'ana.lima@example.com',
  name: o.name ?? 'Ana Lima',
});

/** Zendesk event subscription, ticket.created (2022-11-06 event version). */
export function zendeskTicketCreated(o: TicketOpts & { eventId?: string }) {
  const d = defaults(o);
  return {
    account_id: 22129848,
    detail: {
      actor_id: '8447388090494',
      assignee_id: null,
      brand_id: '8447346621310',
      created_at: '2026-11-24T10:12:07Z',
      custom_status: '8447388084862',
      description: d.html,
      external_id: null,
      form_id: '8646151517822',
      group_id: '8447346620158',
      id: o.id,
      is_public: true,
      organization_id: null,
      priority: 'HIGH',
      requester_id: '8447388090494',
      status: 'NEW',
      subject: d.subject,
      submitter_id: '8447388090494',
      tags: ['login', 'vip'],
      type: 'INCIDENT',
      updated_at: '2026-11-24T10:12:07Z',
      via: { channel: 'web_form' },
    },
    event: {},
    id: o.eventId ?? `cbe4028c-7239-495d-b020-f22348516046-${o.id}`,
    subject: `zen:ticket:${o.id}`,
    time: '2026-11-24T10:12:07.672717030Z',
    type: 'zen:event-type:ticket.created',
    zendesk_event_version: '2022-11-06',
  };
}

/** Zendesk event subscription, ticket.comment_added by the requester. */
export function zendeskCommentAdded(o: { ticketId: string; commentId: string; text: string; staff?: boolean }) {
  return {
    account_id: 22129848,
    detail: { id: o.ticketId, subject: 'Cannot log in after password reset', status: 'OPEN', priority: 'HIGH', tags: ['login'], requester_id: '8447388090494' },
    event: { comment: { author: { id: '8447388090494', is_staff: o.staff ?? false, name: 'Ana Lima' }, body: o.text, id: o.commentId, is_public: true } },
    id: `evt-comment-${o.commentId}`,
    subject: `zen:ticket:${o.ticketId}`,
    time: '2026-11-24T10:30:00.000000000Z',
    type: 'zen:event-type:ticket.comment_added',
    zendesk_event_version: '2022-11-06',
  };
}

/**
 * The docs/webhooks.md creation trigger template as Zendesk renders it. With `raw` the description is pasted
 * unescaped (a quote and line breaks inside), which is what the line-wise reader exists for.
 */
export function zendeskTriggerBody(o: TicketOpts & { raw?: boolean; event?: 'ticket.created' | 'ticket.updated'; comment?: string }): string {
  const d = defaults(o);
  const q = (s: string) => (o.raw ? `"${s}"` : JSON.stringify(s));
  const lines = [
    `"event": "${o.event ?? 'ticket.created'}"`,
    `"ticket_id": "${o.id}"`,
    `"subject": ${q(d.subject)}`,
    `"requester_email": "${d.email}"`,
    `"requester_name": ${q(d.name)}`,
    `"priority": "Urgent"`,
    `"status": "New"`,
    `"tags": "login vip"`,
    `"created_at": "2026-11-24T10:12:07Z"`,
    `"updated_at": "2026-11-24T10:40:00Z"`,
    `"url": "example.zendesk.com/agent/tickets/${o.id}"`,
    o.event === 'ticket.updated' ? `"comment": ${q(o.comment ?? 'Any news?')}` : `"description": ${q(d.html)}`,
  ];
  return `{\n${lines.join(',\n')}\n}`;
}

/** The docs/webhooks.md Freshdesk rule template as rendered (`raw`: placeholders not escaped). */
export function freshdeskBody(o: TicketOpts & { raw?: boolean; event?: 'ticket_created' | 'ticket_updated'; comment?: string }): string {
  const d = defaults(o);
  const q = (s: string) => (o.raw ? `"${s}"` : JSON.stringify(s));
  const lines = [
    `"event": "${o.event ?? 'ticket_created'}"`,
    `"ticket_id": "${o.id}"`,
    `"subject": ${q(d.subject)}`,
    `"requester_email": "${d.email}"`,
    `"requester_name": ${q(d.name)}`,
    `"priority": "Medium"`,
    `"status": "Open"`,
    `"tags": "login, vip"`,
    `"url": "https://example.freshdesk.com/helpdesk/tickets/${o.id}"`,
    o.event === 'ticket_updated' ? `"comment": ${q(o.comment ?? 'Any news?')}` : `"description": ${q(d.html)}`,
  ];
  return `{\n${lines.join(',\n')}\n}`;
}

/** Help Scout conversation as sent with convo.created (Mailbox API 2.0 object, threads newest first). */
export function helpscoutConversation(o: TicketOpts & { replies?: { id: string; text: string }[] }) {
  const d = defaults(o);
  const [first, last] = d.name.split(' ');
  const customer = { id: 29418, type: 'customer', first, last, email: d.email };
  const opening = { id: 1001, type: 'customer', status: 'active', state: 'published', action: null, body: d.html, source: { type: 'email', via: 'customer' }, customer, createdBy: customer, createdAt: '2026-11-24T10:12:07Z' };
  const replies = (o.replies ?? []).map((r) => ({ ...opening, id: Number(r.id), body: `<div>${r.text}</div>`, createdAt: '2026-11-24T11:00:00Z' })).reverse();
  return {
    id: Number(o.id),
    number: 3421,
    threads: 1 + replies.length,
    type: 'email',
    folderId: 1234,
    status: 'active',
    state: 'published',
    subject: d.subject,
    preview: 'Hi team, Since resetting my password...',
    mailboxId: 85,
    assignee: null,
    createdBy: customer,
    createdAt: '2026-11-24T10:12:07Z',
    userUpdatedAt: '2026-11-24T10:12:07Z',
    source: { type: 'email', via: 'customer' },
    tags: [{ id: 9150, color: '#929499', tag: 'login' }],
    cc: [],
    bcc: [],
    primaryCustomer: customer,
    customFields: [],
    _embedded: { threads: [...replies, opening] },
  };
}

/** Intercom topic notification for conversation.user.created / conversation.user.replied. */
export function intercomNotification(o: TicketOpts & { notificationId?: string; topic?: string; reply?: { id: string; text: string } }) {
  const d = defaults(o);
  const author = { type: 'user', id: '5f7f0d217289f8d2f4262080', name: d.name, email: d.email };
  return {
    type: 'notification_event',
    app_id: 'ecahpwf5',
    data: {
      type: 'notification_event_data',
      item: {
        type: 'conversation',
        id: o.id,
        created_at: 1795946527,
        updated_at: 1795946527,
        waiting_since: 1795946527,
        title: null,
        priority: 'priority',
        state: 'open',
        read: false,
        source: { type: 'conversation', id: '403918330', delivered_as: 'customer_initiated', subject: d.subject, body: d.html, author, attachments: [], url: null },
        contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: author.id, external_id: null }] },
        tags: { type: 'tag.list', tags: [{ type: 'tag', id: '2', name: 'login' }] },
        conversation_parts: {
          type: 'conversation_part.list',
          conversation_parts: o.reply ? [{ type: 'conversation_part', id: o.reply.id, part_type: 'comment', body: `<p>${o.reply.text}</p>`, created_at: 1795950000, author }] : [],
          total_count: o.reply ? 1 : 0,
        },
      },
    },
    links: {},
    id: o.notificationId ?? `notif_${o.id}_created`,
    topic: o.topic ?? 'conversation.user.created',
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: 1795946528,
    created_at: 1795946528,
    self: null,
  };
}

/** Front application webhook: inbound_received with the event in `payload`. */
export function frontInbound(o: TicketOpts & { eventId?: string; messageId?: string }) {
  const d = defaults(o);
  return {
    type: 'inbound_received',
    authorization: { id: 'cmp_1a2b3' },
    payload: {
      _links: { self: `https://example.api.frontapp.com/events/${o.eventId ?? `evt_${o.id}`}` },
      id: o.eventId ?? `evt_${o.id}`,
      type: 'inbound',
      emitted_at: 1795946527.512,
      conversation: { id: o.id, subject: d.subject, status: 'unassigned', created_at: 1795946527.2, tags: [{ id: 'tag_1', name: 'login' }], is_private: false },
      source: { _meta: { type: 'inboxes' }, data: [{ id: 'inb_55', name: 'Support' }] },
      target: {
        _meta: { type: 'message' },
        data: {
          _links: { self: `https://example.api.frontapp.com/messages/${o.messageId ?? `msg_${o.id}`}` },
          id: o.messageId ?? `msg_${o.id}`,
          type: 'email',
          is_inbound: true,
          created_at: 1795946527.2,
          blurb: 'Hi team, Since resetting my password...',
          body: d.html,
          author: null,
          recipients: [
            { handle: d.email, role: 'from', name: d.name },
            { handle: 'support@example.com', role: 'to', name: null },
          ],
          attachments: [],
        },
      },
    },
  };
}

/** The generic body of SPEC. */
export function genericBody(o: TicketOpts & { ticketId?: string; text?: string }) {
  const d = defaults(o);
  return {
    id: o.id,
    subject: d.subject,
    body: o.text ?? d.html,
    requester_email: d.email,
    requester_name: d.name,
    priority: 'urgent',
    tags: ['login', 'vip'],
    ...(o.ticketId ? { ticket_id: o.ticketId } : {}),
  };
}
