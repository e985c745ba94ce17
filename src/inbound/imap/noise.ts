/**
 * Machine mail that must never become a ticket or an alert: bounces, delay and delivery reports,
 * auto-replies, bulk/list mail, feedback (abuse) reports and read receipts, and mail from the support address
 * itself (a loop). Pure: decides from the parsed mail only.
 *
 * Order matters: many real bounces also carry `Auto-Submitted: auto-replied`, so delivery reports are
 * recognised before auto-replies. A *delay* notice is not a failed delivery: it is reported as `delay`.
 */
import type { ParsedEmail } from './parse-mail.ts';

export type NoiseKind = 'loop' | 'bounce' | 'delay' | 'delivery-report' | 'feedback-report' | 'read-receipt' | 'auto-reply' | 'bulk';

export interface NoiseVerdict {
  kind: NoiseKind;
  /** Human-readable: which signal decided. */
  reason: string;
}

const DAEMON_LOCAL = /^(mailer-?daemon|post_?master|mail-?daemon|maildaemon|bounces?|mdaemon|mail[._-]?delivery([._-]?(system|subsystem))?|no-?reply-?bounce)(\+[^@]*)?@/i;
const NOREPLY_LOCAL = /^(no-?reply|do-?not-?reply|donotreply)[^@]*@/i;
const DAEMON_NAME = /\b(mail delivery (subsystem|system|service)|mailer[- ]daemon|postmaster|mail administrator|microsoft outlook|administrador del sistema|systemadministrator|mail system)\b/i;
const BOUNCE_SUBJECT =
  /(undeliver|undelivered|non[- ]?deliver|delivery status notification(: error| \(failure\))|not delivered|delivery (status notification \(failure\)|failure|failed|has failed|problem|notification: delivery has failed)|returned mail|returned to sender|mail delivery fail|failure notice|could not be delivered|delivery report|message not delivered|rejected|unzustellbar|nicht zustellbar|non recapitabile|non remis|no se puede entregar|no entregado|onbestelbaar|kan ikke leveres|kunde inte levereras|メールエラー|配信エラー|送信エラー|未達|不達|undeliverable)/i;
const DELAY_SUBJECT = /(delayed mail|delivery (status notification \(delay\)|delayed)|still being retried|warning: could not send message for past|delivery delay|verzögert|retard de distribution)/i;
const BOUNCE_BODY =
  /(this is the mail system at host|could not be delivered to|wasn't able to deliver your message|was not delivered to|delivery to the following recipients? (failed|has failed)|permanent (error|fatal error)|user unknown|unknown user|no such user|mailbox (unavailable|full|not found)|recipient address rejected|address rejected|message could not be delivered|host or domain name not found|undeliverable|returned to sender|\b5\.\d{1,3}\.\d{1,3}\b|\b55[0-4][ -])/i;
const DELAY_BODY = /(will be retried|will continue to (try|attempt)|has not yet been delivered|delivery is delayed|still trying|delivery attempts will continue)/i;

const OOO_SUBJECT =
  /^\s*((auto(matic|matische|matisk|matiska|matická)?[ -]?(reply|response|answer|antwort|risposta|respuesta|réponse|svar|resposta|odpověď|odpowiedź|vastaus))|out of (the )?office|ooo\b|away from (the )?office|on vacation|on holiday|abwesenheit|abwesend|réponse automatique|absence|absent|risposta automatica|fuori sede|respuesta automática|fuera de la oficina|ausente|automatisch antwoord|afwezig|autosvar|frånvaro|fravær|poissa|nieobecn|odpowiedź automatyczna|mimo kancelář|resposta automática|ausência|автоответ|автоматический ответ|不在|自動応答|自動返信|自动回复|休假|자동 응답|부재)/i;

function header(mail: ParsedEmail, name: string): string | undefined {
  const v = mail.headers[name];
  return v === undefined ? undefined : v.trim();
}

function isNullSender(mail: ParsedEmail): boolean {
  const rp = header(mail, 'return-path');
  return rp !== undefined && /^<?\s*>?$/.test(rp.replace(/\s/g, '')) ;
}

/** The verdict of a delivery-status report part: failed beats delayed beats delivered. */
function dsnActions(text: string): Set<string> {
  const actions = new Set<string>();
  for (const m of text.matchAll(/^\s*action\s*:\s*([a-z]+)/gim)) actions.add(m[1]!.toLowerCase());
  return actions;
}

function deliveryVerdict(mail: ParsedEmail): NoiseVerdict | undefined {
  const from = mail.from?.address ?? '';
  const fromName = mail.from?.name ?? '';
  const subject = mail.subject ?? '';
  const head = mail.text.slice(0, 4000);

  if (mail.reportType === 'feedback-report') return { kind: 'feedback-report', reason: 'multipart/report; report-type=feedback-report (abuse report)' };
  if (mail.reportType === 'disposition-notification') return { kind: 'read-receipt', reason: 'multipart/report; report-type=disposition-notification' };
  if (mail.reportType === 'delivery-status' || mail.reportText) {
    const actions = dsnActions(mail.reportText || mail.text);
    if (actions.has('failed')) return { kind: 'bounce', reason: 'delivery-status report with Action: failed' };
    if (actions.has('delayed')) return { kind: 'delay', reason: 'delivery-status report with Action: delayed' };
    if (actions.has('delivered') || actions.has('relayed') || actions.has('expanded')) {
      return { kind: 'delivery-report', reason: `delivery-status report with Action: ${[...actions].join(', ')}` };
    }
    if (mail.reportType === 'delivery-status') {
      if (DELAY_SUBJECT.test(subject)) return { kind: 'delay', reason: 'delivery-status report, delay subject' };
      return { kind: 'bounce', reason: 'multipart/report; report-type=delivery-status' };
    }
  }

  // Amazon SES via SNS: a JSON notification instead of a report.
  const ses = /\\?"notificationType\\?"\s*:\s*\\?"(Bounce|Complaint|Delivery)\\?"/.exec(head);
  if (ses) {
    const kind = ses[1] === 'Bounce' ? 'bounce' : ses[1] === 'Complaint' ? 'feedback-report' : 'delivery-report';
    return { kind, reason: `Amazon SES ${ses[1]} notification` };
  }
  const daemonSender = DAEMON_LOCAL.test(from) || (DAEMON_NAME.test(fromName) && BOUNCE_SUBJECT.test(subject));
  const machine = daemonSender || isNullSender(mail) || !!header(mail, 'auto-submitted') || !from || NOREPLY_LOCAL.test(from);
  if (!machine) return undefined;
  if (DELAY_SUBJECT.test(subject) || (daemonSender && !BOUNCE_SUBJECT.test(subject) && DELAY_BODY.test(head) && !/permanent/i.test(head))) {
    return { kind: 'delay', reason: daemonSender ? `delay notice from ${from}` : 'delay notice subject' };
  }
  if (daemonSender) return { kind: 'bounce', reason: `sender ${from || fromName} is a mail system` };
  if (BOUNCE_SUBJECT.test(subject) && BOUNCE_BODY.test(head)) return { kind: 'bounce', reason: `bounce subject "${subject.slice(0, 80)}" from a machine sender` };
  if (!from && (BOUNCE_BODY.test(head) || BOUNCE_SUBJECT.test(subject))) return { kind: 'bounce', reason: 'no sender and a delivery-failure subject or text' };
  return undefined;
}

function autoVerdict(mail: ParsedEmail): NoiseVerdict | undefined {
  const auto = header(mail, 'auto-submitted');
  if (auto && !/^no\b/i.test(auto)) return { kind: 'auto-reply', reason: `Auto-Submitted: ${auto.slice(0, 60)}` };
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autogenerated']) {
    const v = header(mail, h);
    if (v !== undefined && !/^(no|false|0)$/i.test(v)) return { kind: 'auto-reply', reason: `${h}: ${v.slice(0, 60)}` };
  }
  const suppress = header(mail, 'x-auto-response-suppress');
  const subject = mail.subject ?? '';
  if (OOO_SUBJECT.test(subject)) return { kind: 'auto-reply', reason: `out-of-office subject "${subject.slice(0, 80)}"` };
  const precedence = header(mail, 'precedence')?.toLowerCase();
  if (precedence && /^(bulk|junk|list|auto_reply)\b/.test(precedence)) {
    return { kind: precedence.startsWith('auto') ? 'auto-reply' : 'bulk', reason: `Precedence: ${precedence}` };
  }
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress) && /^(re|aw|sv|vs|r|antw):/i.test(subject) === false && mail.inReplyTo) {
    return { kind: 'auto-reply', reason: `X-Auto-Response-Suppress: ${suppress} on a reply without a reply subject` };
  }
  return undefined;
}

/** Returns why this mail is noise, or undefined when it is a human writing to support. */
export function classifyNoise(mail: ParsedEmail, options: { supportAddresses: string[] }): NoiseVerdict | undefined {
  const from = mail.from?.address;
  const own = options.supportAddresses.map((a) => a.trim().toLowerCase()).filter(Boolean);
  if (from && own.includes(from)) return { kind: 'loop', reason: `sent by the support address ${from} itself` };
  const xLoop = header(mail, 'x-loop')?.toLowerCase();
  if (xLoop && own.some((a) => xLoop.includes(a))) return { kind: 'loop', reason: `X-Loop: ${xLoop}` };
  return deliveryVerdict(mail) ?? autoVerdict(mail);
}
