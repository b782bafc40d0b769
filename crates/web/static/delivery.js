// Delivery for Koshu (issue 15). Two small jobs that need a script; each page says what is
// missing without it and works otherwise:
// - a remote learner's live page beats every 30 s while it is visible (B30 ②: leaving is
//   noticed as a gap in the beats);
// - the staff's attendance page follows presence as it changes (server-sent events) instead of
//   being reloaded.
(function () {
  'use strict';
  const PERIOD_MS = 30000;

  const live = document.querySelector('[data-heartbeat]');
  if (live) {
    const url = live.getAttribute('data-heartbeat');
    // The ticket is the beat's whole credential: no cookie goes with it.
    const body = live.getAttribute('data-ticket');
    const on = live.querySelector('.live-on');
    const off = live.querySelector('.live-off');
    const beat = () => {
      if (document.visibilityState !== 'visible') {
        return;
      }
      fetch(url, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'text/plain' },
        body: body,
      }).catch(() => {});
    };
    if (on && off) {
      on.hidden = false;
      off.hidden = true;
    }
    beat();
    setInterval(beat, PERIOD_MS);
    document.addEventListener('visibilitychange', beat);
  }

  const roster = document.querySelector('[data-events]');
  if (roster && window.EventSource) {
    const status = roster.querySelector('.events-status');
    const source = new EventSource(roster.getAttribute('data-events'));
    source.addEventListener('presence', (e) => {
      const rows = JSON.parse(e.data);
      for (const row of rows) {
        const cell = document.getElementById('presence-' + row.id);
        if (cell && cell.textContent !== row.presence) {
          cell.textContent = row.presence;
        }
      }
      if (status) {
        status.hidden = false;
      }
    });
  }
})();
