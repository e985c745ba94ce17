/**
 * Companies from the real mail corpus (../shared/data/mail-corpus, read in place): every corpus mail goes into
 * a real Dovecot mailbox and through the service's own inbox door, then a company is asked for over REST for
 * each sender domain the service made customers at, spelled as the corpus spells it (upper case, Unicode).
 * Free-mail, disposable and public-suffix domains must be refused (422, naming the domain and the rule) and make
 * no company; other domains make one, and exactly the customers at that domain join it. Which domains are
 * free-mail is judged here from a short hand-made list of well-known providers, not from the product's lists,
 * so a gap in those lists fails this test. The domains are those of the customers the service made: bounces and
 * other automatic mail make none.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { dovecotAvailable, startDovecot } from '../kit/dovecot.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { corpus, corpusTest, emlFiles, MAIL_FOLDERS } from './corpus.ts';

// Without the corpus this registers one failing test (./corpus.ts).
const run = corpusTest();

/** Mailbox providers where anybody can have an address (and their country variants), chosen by hand. */
const FREE_MAIL = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.co.jp', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'rocketmail.com',
  'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com',
  'gmx.de', 'gmx.net', 'gmx.com', 'web.de', 't-online.de', 'freenet.de', 'mail.ru', 'yandex.ru', 'yandex.com', 'rambler.ru',
  'qq.com', '163.com', '126.com', 'sina.com', 'naver.com', 'daum.net', 'rediffmail.com', 'protonmail.com', 'proton.me', 'tutanota.com',
  'zoho.com', 'mail.com', 'fastmail.com', 'free.fr', 'orange.fr', 'laposte.net', 'libero.it', 'virgilio.it', 'seznam.cz', 'wp.pl', 'o2.pl',
  // Internet providers' subscriber mailboxes, as widely held as webmail.
  'comcast.net', 'att.net', 'sbcglobal.net', 'verizon.net', 'btinternet.com', 'docomo.ne.jp', 'ezweb.ne.jp', 'hinet.net',
];
/** Throw-away address services, chosen by hand. */
const DISPOSABLE = ['mailinator.com', 'guerrillamail.com', '10minutemail.com', 'yopmail.com', 'trashmail.com', 'temp-mail.org', 'sharklasers.com', 'dispostable.com'];
/** Suffixes under which anybody registers a name (single labels: com, local, ... are suffixes too). */
const PUBLIC_SUFFIXES = ['co.uk', 'org.uk', 'ac.uk', 'co.jp', 'ne.jp', 'or.jp', 'com.au', 'com.br', 'com.tw', 'co.nz', 'github.io', 'herokuapp.com', 'blogspot.com'];
/** Organisations' own domains: a company may stand for them (their subdomains too). */
const ORGANISATIONS = ['google.com', 'apple.com', 'microsoft.com', 'ibm.com', 'github.com', 'whitehouse.gov', 'rubyforge.org', '37signals.com'];

/** A domain in the one spelling the WHATWG URL parser gives a host (lower case, IDN as punycode), or null. */
function spelling(domain: string): string | null {
  try {
    const host = new URL(`http://${domain.replace(/\.$/, '')}/`).hostname;
    return /^[a-z0-9.-]+$/.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** The domain and each parent of it: a.b.example -> a.b.example, b.example, example. */
const withParents = (domain: string) => domain.split('.').map((_, i, labels) => labels.slice(i).join('.'));

type Verdict = 'free-mail' | 'public suffix' | 'organisation' | undefined;
/** What this test knows about a domain without asking the product; undefined: the product's lists decide. */
function known(domain: string): Verdict {
  const chain = withParents(domain);
  if (chain.some((d) => FREE_MAIL.includes(d) || DISPOSABLE.includes(d))) return 'free-mail';
  if (!domain.includes('.') || PUBLIC_SUFFIXES.includes(domain)) return 'public suffix';
  if (chain.some((d) => ORGANISATIONS.includes(d))) return 'organisation';
  return undefined;
}

/**
 * The sender domains as the raw headers spell them (From, Sender, Reply-To; unfolded, read as UTF-8 as RFC 6532
 * allows), keyed by their one spelling: where a key has a different spelling here, the corpus wrote it so.
 */
function rawSpellings(files: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of files) {
    const raw = readFileSync(file);
    const end = [raw.indexOf('\r\n\r\n'), raw.indexOf('\n\n')].filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? raw.length;
    const head = raw.subarray(0, end).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
    for (const line of head.split(/\r?\n/)) {
      if (!/^(from|sender|reply-to):/i.test(line)) continue;
      for (const m of line.matchAll(/@([^\s<>"'(),;:[\]\\@]+)/g)) {
        const given = m[1]!.replace(/\.$/, '');
        const key = spelling(given);
        if (!key || key === given) continue;
        if (!out.has(key)) out.set(key, new Set());
        out.get(key)!.add(given);
      }
    }
  }
  return out;
}

interface Customer {
  id: number;
  emails: string[];
  company: { id: number } | null;
}

run('companies from the corpus senders: never a free-mail, disposable or public-suffix domain; customers join the company of their domain', async (t) => {
  t.timeout(15 * 60_000);
  const missing = dovecotAvailable();
  if (missing) return t.fail(`the corpus reaches the service through IMAP: ${missing}`);
  const files = MAIL_FOLDERS.flatMap((d) => emlFiles(path.join(corpus, d)));
  t.true(files.length > 800, `found ${files.length} mails`);

  // Every mail into a real mailbox, then the service as production wires it reads it (IMAP_* in the environment).
  const dovecot = await startDovecot();
  t.teardown(() => dovecot.destroy());
  const user = 'corpus';
  const password = 'corpus-password';
  await dovecot.addUser(user, password);
  await dovecot.append(user, password, 'INBOX', files.map((f) => readFileSync(f)));
  const started = Date.now();
  const svc = await serveForTest(t, {
    IMAP_HOST: dovecot.host, IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: user, IMAP_PASSWORD: password,
    IMAP_SUPPORT_ADDRESS: 'support@triage.test', IMAP_PROCESSED_MAILBOX: 'Processed', IMAP_FAILED_MAILBOX: 'Failed', IMAP_POLL_CRON: '*/2 * * * * *',
  }, { classifier: createKeywordClassifier() });

  // Done when the inbox is empty: every mail was stored (moved to Processed) or refused (moved to Failed).
  const imap = await dovecot.client(user, password);
  t.teardown(() => imap.logout().catch(() => imap.close()));
  const count = async (box: string) => {
    const status = await imap.status(box, { messages: true }).catch(() => false as const);
    return status ? (status.messages ?? 0) : 0;
  };
  await waitFor(async () => (await count('INBOX')) === 0, { what: 'the service to read the whole inbox', timeoutMs: 10 * 60_000, intervalMs: 1_000 });
  const processed = await count('Processed');
  const failed = await count('Failed');
  t.is(processed + failed, files.length, 'every mail was handled');
  t.log(`${files.length} mails through IMAP in ${((Date.now() - started) / 1000).toFixed(0)} s: ${processed} moved to Processed, ${failed} to Failed`);

  // The customers the service made, over REST.
  const customers: Customer[] = [];
  for (let before: number | null = null, first = true; first || before !== null; first = false) {
    const page = await api(svc.baseUrl, `/api/v1/customers?limit=1000${before ? `&before=${before}` : ''}`);
    t.is(page.status, 200);
    customers.push(...page.json.items);
    before = page.json.next_before;
  }
  const byDomain = new Map<string, number[]>();
  for (const c of customers) {
    t.is(c.company, null, `customer ${c.id} is in no company before any company exists`);
    for (const email of c.emails) {
      const domain = email.slice(email.lastIndexOf('@') + 1);
      t.is(spelling(domain), domain, `customer ${c.id}'s address ${email} is kept in the one spelling (lower case, punycode)`);
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), c.id]);
    }
  }
  t.true(customers.length > 50, `${customers.length} customers`);

  // A company for each domain, asked for in the corpus's own spelling where it has another one.
  const given = rawSpellings(files);
  const accepted = new Map<string, number>();
  const refused = new Map<string, string>();
  const byProductOnly: string[] = [];
  const respelled: string[] = [];
  for (const domain of [...byDomain.keys()].sort()) {
    const asGiven = [...(given.get(domain) ?? [])].sort()[0] ?? domain;
    if (asGiven !== domain) respelled.push(asGiven);
    const res = await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', json: { name: `Senders at ${asGiven}`, domains: [asGiven] } });
    const expected = known(domain);
    if (res.status === 201) {
      accepted.set(domain, res.json.id);
      t.deepEqual(res.json.domains, [domain], `${asGiven} is stored as ${domain}`);
      t.true(expected === undefined || expected === 'organisation', `${asGiven} (${expected}) must be refused, but made company ${res.json.id}`);
      continue;
    }
    t.is(res.status, 422, `${asGiven}: ${res.status} ${res.text}`);
    const error = res.json?.errors?.[0] as { field: string; message: string } | undefined;
    t.is(error?.field, 'domains', `${asGiven}: ${res.text}`);
    t.regex(error?.message ?? '', /free-mail|disposable|public suffix/, `${asGiven}: the rule broken is named`);
    t.true(String(res.json.detail).includes(domain), `${asGiven}: the refusal names the domain (${res.json.detail})`);
    refused.set(domain, error?.message ?? '');
    if (expected === 'free-mail') t.regex(error?.message ?? '', /free-mail|disposable/, `${asGiven} is refused as free-mail`);
    else if (expected === 'public suffix') t.regex(error?.message ?? '', /public suffix/, `${asGiven} is refused as a public suffix`);
    else if (expected === 'organisation') t.fail(`${asGiven} is an organisation's own domain, yet refused: ${res.json.detail}`);
    else byProductOnly.push(domain);
  }
  t.true(respelled.some((d) => /[A-Z]/.test(d)), 'the corpus spells some sender domains in upper case, and they were asked for so');
  t.true(respelled.some((d) => /[^\x00-\x7f]/.test(d)), 'the corpus has Unicode sender domains, and they were asked for so');
  t.true(accepted.size > 0 && refused.size > 0);

  // Exactly the companies accepted exist, and each holds exactly the customers at its domain.
  const companies = await api(svc.baseUrl, '/api/v1/companies?limit=1000');
  t.deepEqual(companies.json.items.map((c: { domains: string[] }) => c.domains.join()).sort(), [...accepted.keys()].sort(), 'no company from a refused domain');
  for (const c of companies.json.items as { id: number; domains: string[]; customers: number }[]) t.is(c.customers, byDomain.get(c.domains[0]!)?.length ?? -1, `company ${c.id}'s customer count`);
  let companyTickets = 0;
  for (const [domain, company] of accepted) {
    const members = await api(svc.baseUrl, `/api/v1/customers?company_id=${company}&limit=1000`);
    t.deepEqual(members.json.items.map((c: Customer) => c.id).sort(), [...byDomain.get(domain)!].sort(), `the customers at ${domain} are company ${company}'s`);
    // The company's tickets are its customers' (a customer may have none: the corpus has replies that join
    // another sender's ticket).
    let theirs = 0;
    for (const id of byDomain.get(domain)!) {
      const customer = (await api(svc.baseUrl, `/api/v1/customers/${id}`)).json as Customer & { tickets: { total: number } };
      t.is(customer.company?.id, company, `customer ${id} at ${domain}`);
      theirs += customer.tickets.total;
    }
    const tickets = await api(svc.baseUrl, `/api/v1/requests?company_id=${company}&limit=100`);
    t.is(tickets.json.total, theirs, `company ${company} (${domain}) lists its customers' tickets`);
    for (const ticket of tickets.json.items as { requester_email: string; company: { id: number } | null }[]) {
      t.is(spelling(ticket.requester_email.slice(ticket.requester_email.lastIndexOf('@') + 1)), domain);
      t.is(ticket.company?.id, company);
    }
    companyTickets += theirs;
  }
  t.true(companyTickets > 0);
  for (const domain of refused.keys()) {
    for (const id of byDomain.get(domain)!) t.is((await api(svc.baseUrl, `/api/v1/customers/${id}`)).json.company, null, `customer ${id} at ${domain} is in no company`);
  }

  const count1 = (v: Verdict) => [...refused.keys()].filter((d) => known(d) === v).length;
  t.log(`${customers.length} customers; ${byDomain.size} sender domains seen (asked for as the corpus spells them: ${respelled.join(', ')})`);
  t.log(`refused ${refused.size} (free-mail or disposable by this test's list: ${count1('free-mail')}, public suffix: ${count1('public suffix')}, by the product's lists only: ${byProductOnly.length}: ${byProductOnly.join(', ')}); accepted ${accepted.size}, whose customers' ${companyTickets} tickets their companies list`);
});
