// Live updates (src/console/live.ts): the open inbox, incident or ticket page holds a server-sent events stream and reloads
// its live part (htmx: the element's "console:refresh" trigger) when a change arrives. Without a stream (refused,
// broken, a proxy that cuts it) the page polls every 2 s instead. Boosted navigation moves the stream along.
(() => {
  const POLL_MS = 2000;
  let source = null;
  let sourceUrl = null;
  let pending = null;

  const target = () => document.querySelector('[data-live]');
  const wanted = () => {
    const el = target();
    if (!el) return null;
    const ticket = el.getAttribute('data-live-ticket');
    return ticket ? `/console/live?ticket=${encodeURIComponent(ticket)}` : '/console/live';
  };
  const streaming = () => source !== null && source.readyState === EventSource.OPEN;
  const state = (value) => { document.documentElement.dataset.liveState = value; };

  // A reload whose element left the page (an action's answer replaced the page meanwhile) is dropped when it
  // lands: it was read before the page now shown, and its out-of-band parts (the ticket's facts) would
  // overwrite newer ones. htmx fires beforeSwap on the element itself, which no longer bubbles to the document.
  const guarded = new WeakSet();
  const guard = (el) => {
    if (guarded.has(el)) return;
    guarded.add(el);
    el.addEventListener('htmx:beforeSwap', (event) => {
      if (!el.isConnected) event.preventDefault();
    });
  };

  const refresh = () => {
    pending = null;
    const el = target();
    if (!el || !window.htmx) return;
    // One reload at a time: a change that arrives meanwhile is picked up right after.
    if (el.classList.contains('htmx-request')) return soon();
    guard(el);
    window.htmx.trigger(el, 'console:refresh');
  };
  const soon = () => {
    if (pending === null) pending = setTimeout(refresh, 150);
  };

  function connect() {
    const url = wanted();
    if (url === sourceUrl) return;
    if (source) source.close();
    source = null;
    sourceUrl = url;
    if (!url || typeof EventSource !== 'function') return state('poll');
    const stream = new EventSource(url);
    source = stream;
    let missed = false;
    stream.addEventListener('open', () => {
      state('stream');
      // Whatever changed while the stream was down.
      if (missed) soon();
      missed = false;
    });
    stream.addEventListener('ticket', soon);
    stream.addEventListener('incident', soon);
    stream.addEventListener('resync', soon);
    stream.addEventListener('error', () => {
      missed = true;
      state('poll');
      // Refused (too many streams, signed out) or given up: poll, and try a stream again later.
      if (stream.readyState === EventSource.CLOSED) {
        setTimeout(() => {
          if (source !== stream) return;
          sourceUrl = null;
          connect();
        }, 30_000);
      }
    });
  }

  setInterval(() => {
    if (!streaming() && target()) refresh();
  }, POLL_MS);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', connect);
  else connect();
  document.addEventListener('htmx:afterSettle', connect);
  window.addEventListener('pageshow', connect);
  window.addEventListener('pagehide', () => {
    if (source) source.close();
    source = null;
    sourceUrl = null;
  });
})();
