// Keyboard: j/k move in the inbox list, Enter opens, a assigns to me, r reply, e resolve, s snooze, / search,
// ? this help, Ctrl/Cmd+K a palette of every action on the page by name. Everything it does is also a link or a
// button on the page (reading and acting work without JavaScript); the dialogs are built here, not inline.
(() => {
  const KEYS = [
    ['j / k', 'next / previous ticket in the list'],
    ['Enter', 'open the selected ticket'],
    ['a', 'assign the ticket to me'],
    ['r', 'reply'],
    ['e', 'resolve'],
    ['s', 'snooze'],
    ['/', 'search'],
    ['?', 'this help'],
    ['Ctrl+K / ⌘K', 'every action by name'],
  ];
  let selected = null;

  const typing = (t) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  const rows = () => [...document.querySelectorAll('[data-live="inbox"] tbody tr')];
  const hrefOf = (row) => row.querySelector('a[href^="/console/tickets/"]')?.getAttribute('href') ?? null;
  const ticketPage = () => document.querySelector('[data-live-ticket]');

  function mark() {
    for (const row of rows()) {
      const on = hrefOf(row) === selected;
      row.classList.toggle('selected', on);
      if (on) row.setAttribute('aria-selected', 'true');
      else row.removeAttribute('aria-selected');
    }
  }
  function move(step) {
    const list = rows();
    if (!list.length) return;
    const at = list.findIndex((row) => hrefOf(row) === selected);
    const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    selected = hrefOf(list[next]);
    mark();
    list[next].scrollIntoView({ block: 'nearest' });
  }
  const selectedRow = () => rows().find((row) => hrefOf(row) === selected);

  /** Posts one of the ticket's action forms of the selected row (the inbox) through htmx; the live list shows the result. */
  function act(path, values) {
    if (!selected || !window.htmx) return;
    window.htmx.ajax('POST', `${selected}/${path}`, { source: selectedRow() ?? document.body, values, swap: 'none' });
  }
  const click = (selector) => {
    const el = document.querySelector(selector);
    if (el instanceof HTMLElement) el.click();
    return el !== null;
  };
  const focus = (selector) => {
    const el = document.querySelector(selector);
    if (!(el instanceof HTMLElement)) return false;
    el.focus();
    el.scrollIntoView({ block: 'center' });
    return true;
  };
  const open = (suffix = '') => {
    const link = selectedRow()?.querySelector('a[href^="/console/tickets/"]');
    if (!(link instanceof HTMLAnchorElement)) return;
    if (!suffix) return link.click();
    window.location.assign(`${link.getAttribute('href')}${suffix}`);
  };

  const ACTIONS = {
    a: () => (ticketPage() ? click('.actions button[name="me"]') : act('assign', { me: '1' })),
    r: () => (ticketPage() ? focus('.actions textarea[name="text"]') : open('#reply')),
    e: () => (ticketPage() ? click('.actions button[value="resolved"]') : act('status', { status: 'resolved' })),
    s: () => (ticketPage() ? focus('.actions select[name="for"]') : open('#snooze')),
  };

  function searchBox() {
    const box = document.querySelector('main [data-search-box]') ?? document.querySelector('[data-search-box]');
    if (box instanceof HTMLInputElement) {
      box.focus();
      box.select();
    }
  }

  function dialog(id, title) {
    document.getElementById(id)?.remove();
    const d = document.createElement('dialog');
    d.id = id;
    d.className = 'keys-dialog';
    d.setAttribute('aria-label', title);
    const h = document.createElement('h2');
    h.textContent = title;
    d.append(h);
    d.addEventListener('close', () => d.remove());
    document.body.append(d);
    return d;
  }

  function help() {
    if (document.getElementById('keys-help')) return document.getElementById('keys-help').close();
    const d = dialog('keys-help', 'Keyboard');
    const list = document.createElement('dl');
    for (const [key, what] of KEYS) {
      const dt = document.createElement('dt');
      const kbd = document.createElement('kbd');
      kbd.textContent = key;
      dt.append(kbd);
      const dd = document.createElement('dd');
      dd.textContent = what;
      list.append(dt, dd);
    }
    d.append(list);
    d.showModal();
  }

  /** Every action on the page by name: its buttons, navigation and tabs, the ticket keys, search and help. */
  function commands() {
    const out = [];
    const seen = new Set();
    const add = (name, run) => {
      const n = name.replace(/\s+/g, ' ').trim();
      if (n && !seen.has(n)) {
        seen.add(n);
        out.push({ name: n, run });
      }
    };
    for (const button of document.querySelectorAll('main form button')) {
      const form = button.closest('form');
      const label = form?.querySelector('select[name="for"]') ? `${button.textContent}: ${form.querySelector('select[name="for"]').selectedOptions[0]?.textContent ?? ''}` : button.textContent;
      add(label ?? '', () => button.click());
    }
    if (!ticketPage() && selected) {
      add('Assign the selected ticket to me', ACTIONS.a);
      add('Resolve the selected ticket', ACTIONS.e);
      add('Open the selected ticket', () => open());
    }
    for (const link of document.querySelectorAll('header nav a, nav.tabs a')) add(`Go to ${link.firstChild?.textContent ?? link.textContent}`, () => link.click());
    add('Search', searchBox);
    add('Keyboard help', help);
    return out;
  }

  function palette() {
    if (document.getElementById('keys-palette')) return document.getElementById('keys-palette').close();
    const d = dialog('keys-palette', 'Command palette');
    const input = document.createElement('input');
    input.type = 'text';
    input.setAttribute('aria-label', 'Action');
    input.placeholder = 'Type an action…';
    const list = document.createElement('ul');
    list.setAttribute('role', 'listbox');
    d.append(input, list);
    const all = commands();
    let shown = all;
    let at = 0;
    const draw = () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      shown = all.filter((c) => words.every((w) => c.name.toLowerCase().includes(w)));
      at = Math.min(at, Math.max(0, shown.length - 1));
      list.replaceChildren(...shown.map((c, i) => {
        const li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.textContent = c.name;
        if (i === at) li.setAttribute('aria-selected', 'true');
        li.addEventListener('click', () => run(c));
        return li;
      }));
    };
    const run = (c) => {
      d.close();
      c.run();
    };
    input.addEventListener('input', () => {
      at = 0;
      draw();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        at = Math.max(0, Math.min(shown.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)));
        draw();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        if (shown[at]) run(shown[at]);
      }
    });
    draw();
    d.showModal();
    input.focus();
  }

  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      return palette();
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || document.querySelector('dialog[open]')) return;
    const key = event.key;
    if (key === '/') searchBox();
    else if (key === '?') help();
    else if (key === 'j' || key === 'k') move(key === 'j' ? 1 : -1);
    else if (key === 'Enter' && selected && !ticketPage()) open();
    else if (ACTIONS[key]) ACTIONS[key]();
    else return;
    event.preventDefault();
  });
  // The live list is redrawn under the selection: keep it on the same ticket.
  document.addEventListener('htmx:afterSettle', mark);
})();
