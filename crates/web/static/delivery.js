// Delivery for Koshu (issue 15). Two small jobs that need a script; each page says what is
// missing without it and works otherwise:
// - a remote learner's live page beats every 30 s while it is visible (B30 ②: leaving is
//   noticed as a gap in the beats);
// - the staff's attendance page follows presence as it changes (server-sent events) instead of
//   being reloaded;
// - the venue's screen fetches its code again every 10 s and replaces it in place, until staff
//   stop it (a page that reloads itself cannot be stopped: WCAG 2.2.1, 2.2.2; F41);
// - an on-demand item's page reports use every 30 s while it is visible or the material's
//   window it opened is still open (time on task, D04);
// - the staff's 要フォロー list follows stalls as they begin (server-sent events), but never
//   replaces the list while someone is typing in it.
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

  const screen = document.querySelector('[data-refresh-seconds]');
  if (screen) {
    const seconds = Number(screen.getAttribute('data-refresh-seconds')) || 10;
    const on = document.querySelector('.refresh-on');
    const off = document.querySelector('.refresh-off');
    const toggle = document.querySelector('.refresh-toggle');
    const refresh = () => {
      fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' })
        .then((r) => r.text())
        .then((html) => {
          const fresh = new DOMParser()
            .parseFromString(html, 'text/html')
            .querySelector('[data-refresh-seconds]');
          if (fresh) {
            screen.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
          } else {
            // Signed out, or an error page: show it rather than a code that no longer works.
            window.location.reload();
          }
        })
        // Offline: the next try may reach the server.
        .catch(() => {});
    };
    let timer = setInterval(refresh, seconds * 1000);
    if (on && off && toggle) {
      on.hidden = false;
      off.hidden = true;
      toggle.addEventListener('click', () => {
        if (timer === null) {
          refresh();
          timer = setInterval(refresh, seconds * 1000);
          toggle.textContent = toggle.getAttribute('data-stop');
        } else {
          clearInterval(timer);
          timer = null;
          toggle.textContent = toggle.getAttribute('data-start');
        }
      });
    }
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
  const item = document.querySelector('[data-activity]');
  if (item) {
    const url = item.getAttribute('data-activity');
    const body = 'kind=active&csrf=' + encodeURIComponent(item.getAttribute('data-csrf'));
    let material = null;
    const link = document.querySelector('[data-material]');
    if (link) {
      link.addEventListener('click', (e) => {
        // A window we hold a handle to: whether it is still open can be read across origins.
        const opened = window.open(link.href, 'koshu-material');
        if (opened) {
          // Still about:blank and ours: cut the way back, as rel=noopener would.
          opened.opener = null;
          material = opened;
          e.preventDefault();
        }
      });
    }
    const beat = () => {
      const inUse = document.visibilityState === 'visible' || (material && !material.closed);
      if (!inUse) {
        return;
      }
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body,
      }).catch(() => {});
    };
    const on = item.querySelector('.live-on');
    const off = item.querySelector('.live-off');
    if (on && off) {
      on.hidden = false;
      off.hidden = true;
    }
    setInterval(beat, PERIOD_MS);
  }

  const followUp = document.querySelector('[data-follow-up]');
  if (followUp && window.EventSource) {
    const region = followUp.querySelector('.follow-up-region');
    const status = followUp.querySelector('.events-status');
    const heading = followUp.querySelector('h2');
    let pending = null;
    let typing = false;
    const apply = () => {
      if (pending === null || typing || region.contains(document.activeElement)) {
        return;
      }
      region.innerHTML = pending.html;
      if (heading) {
        heading.textContent = heading.textContent.replace(/[（(]\d+[^）)]*[）)]/, (m) => m.replace(/\d+/, String(pending.count)));
      }
      pending = null;
    };
    region.addEventListener('input', () => { typing = true; });
    region.addEventListener('focusout', () => {
      // Once the form is left without sending, its draft may go.
      setTimeout(() => {
        if (!region.contains(document.activeElement)) {
          typing = false;
          apply();
        }
      }, 0);
    });
    const source = new EventSource(followUp.getAttribute('data-follow-up'));
    source.addEventListener('follow-up', (e) => {
      pending = JSON.parse(e.data);
      apply();
      if (status) {
        status.hidden = false;
      }
    });
  }
})();
