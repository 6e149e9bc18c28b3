// The debrief board follows everyone's changes. Every 3 seconds it asks whether the board's
// version moved (a HEAD with the version as ETag: 304 while unchanged, no body either way).
// When it moved, the board is reloaded in place, unless this person is in the middle of
// something (typing, cards ticked): then a button offers to show the changes.
(() => {
  const root = document.querySelector('[data-board]');
  if (!root) return;
  const url = `/api/v1/debriefs/${root.dataset.debrief}`;
  const tag = (version) => `"board-${root.dataset.debrief}-${version}"`;
  let etag = tag(root.dataset.version);

  function busy() {
    const active = document.activeElement;
    if (active && root.contains(active) && active.matches('input, textarea, select')) return true;
    if (root.querySelector('input[name="note_ids"]:checked')) return true;
    return [...root.querySelectorAll('input:not([type=hidden]), textarea')]
      .some((el) => el.value !== el.defaultValue);
  }

  // The move form becomes a bar fixed at the bottom of the screen, shown while cards are
  // ticked, with how many. Without this script the form stays above the board and works alike.
  function ticked() {
    return [...document.querySelectorAll('input[name="note_ids"][form="move-form"]:checked')];
  }

  function arrange() {
    const bar = root.querySelector('[data-action-bar]');
    if (!bar) return;
    bar.classList.add('is-bar');
    const count = ticked().length;
    bar.hidden = count === 0;
    document.body.classList.toggle('has-action-bar', count > 0);
    const label = bar.querySelector('[data-ticked]');
    label.hidden = false;
    label.textContent = `${count} card${count === 1 ? '' : 's'} ticked`;
    const name = bar.querySelector('[data-new-theme]');
    const isNew = bar.querySelector('select[name="to"]').value === 'new';
    name.hidden = !isNew;
    name.querySelector('input').required = isNew;
    // The page keeps room under its last card for the bar, however tall the bar is.
    document.documentElement.style.setProperty('--action-bar', `${bar.offsetHeight}px`);
  }

  root.addEventListener('change', (event) => {
    if (event.target.matches('input[name="note_ids"], select[name="to"]')) arrange();
  });
  root.addEventListener('click', (event) => {
    if (!event.target.closest('[data-untick]')) return;
    ticked().forEach((box) => { box.checked = false; });
    arrange();
  });
  window.addEventListener('pageshow', arrange); // ticks the browser restores on Back
  arrange();

  async function refresh() {
    const response = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html')
      .querySelector('[data-board]');
    if (!next) return;
    root.innerHTML = next.innerHTML;
    root.dataset.version = next.dataset.version;
    etag = tag(next.dataset.version);
    arrange();
  }

  function offer() {
    const status = root.querySelector('[data-board-status]');
    if (!status || status.querySelector('button')) return;
    status.textContent = 'Someone changed the board. ';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button';
    button.textContent = 'Show changes';
    button.addEventListener('click', refresh);
    status.append(button);
  }

  async function poll() {
    if (document.hidden) return;
    try {
      const response = await fetch(url, {
        method: 'HEAD', credentials: 'same-origin', cache: 'no-store', headers: { 'If-None-Match': etag },
      });
      if (response.status !== 200 || response.headers.get('ETag') === etag) return;
      if (busy()) offer(); else await refresh();
    } catch (error) {
      // no connection: try again at the next tick
    }
  }

  setInterval(poll, 3000);
})();
