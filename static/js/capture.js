// The capture form's steps, moment rows and call timer. The form works without this script:
// the steps are <details>, three empty moment rows are there, and the duration is typed.
(() => {
  const form = document.querySelector('form[data-capture]');
  if (!form) return;
  const clock = (s) => {
    const h = Math.floor(s / 3600);
    const mmss = `${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    return h ? `${h}:${mmss}` : mmss;
  };

  // Steps: each closed one says how much of it is filled in, so nothing typed is out of mind.
  const hasValue = (el) => (el.type === 'checkbox' || el.type === 'radio' ? el.checked
    : el.type === 'file' ? el.files.length > 0 : el.value.trim() !== '');
  function summarise(step) {
    const sum = step.querySelector('[data-step-sum]');
    if (!sum || sum.classList.contains('step-bad')) return; // "Check this step" stays until saved again
    if ('rows' in step.dataset) {
      const n = [...step.querySelectorAll('[data-row]')]
        .filter((row) => [...row.querySelectorAll('input')].some(hasValue)).length;
      sum.textContent = `${n} moment${n === 1 ? '' : 's'}`;
      return;
    }
    const names = step.dataset.names.split(' ').filter(Boolean);
    const filled = names.filter((name) => name.split('|')
      .some((one) => [...step.querySelectorAll(`[name="${one}"]`)].some(hasValue))).length;
    sum.textContent = `${filled} of ${names.length} filled in`;
  }
  const steps = [...form.querySelectorAll('[data-step]')];
  const summariseAll = () => steps.forEach(summarise);
  form.addEventListener('input', (event) => { const step = event.target.closest('[data-step]'); if (step) summarise(step); });
  form.addEventListener('change', (event) => { const step = event.target.closest('[data-step]'); if (step) summarise(step); });

  // Moment rows: one more on demand, the same markup as the server's with the next number.
  const list = form.querySelector('[data-moments]');
  function addMoment() {
    const rows = list.querySelectorAll('[data-row]');
    const row = rows[rows.length - 1].cloneNode(true);
    const n = rows.length + 1;
    row.querySelectorAll('[id]').forEach((el) => { el.id = el.id.replace(/-\d+(-contacts)?$/, `-${n}$1`); });
    row.querySelectorAll('[for]').forEach((el) => { el.htmlFor = el.htmlFor.replace(/-\d+$/, `-${n}`); });
    row.querySelectorAll('input').forEach((el) => { el.value = ''; });
    row.querySelectorAll('.contact-warning').forEach((el) => { el.hidden = true; });
    list.append(row);
    return row;
  }
  // The first row with nothing in it, added if every row is taken.
  const freeRow = () => [...list.querySelectorAll('[data-row]')]
    .find((row) => ![...row.querySelectorAll('input')].some(hasValue)) || addMoment();
  if (list) {
    const add = form.querySelector('[data-add-moment]');
    add.hidden = false;
    add.addEventListener('click', () => { addMoment().querySelector('input').focus(); });
    // The outbox restores a draft with more moments than rows: it asks for rows first.
    form.addEventListener('lp:rows', (event) => {
      if (event.detail.name !== 'moment_at') return;
      while (list.querySelectorAll('[data-row]').length < event.detail.count) addMoment();
    });
  }

  // The call timer: its start is kept on the phone for this form, so a reload, a crash or no
  // signal never stops it. Only start, stop and reset are announced, never each second.
  const box = form.querySelector('[data-call-timer]');
  const key = `lp-timer:${location.pathname}`;
  let timer = { since: null, banked: 0 };
  try { timer = { ...timer, ...JSON.parse(localStorage.getItem(key) || '{}') }; } catch (error) { /* a bad copy starts afresh */ }
  const elapsed = () => timer.banked + (timer.since ? Math.max(0, Math.floor((Date.now() - timer.since) / 1000)) : 0);
  let tick = null;
  function show() {
    if (!box) return;
    box.querySelector('[data-timer-clock]').textContent = clock(elapsed());
    box.querySelector('[data-timer-start]').hidden = Boolean(timer.since);
    box.querySelector('[data-timer-start]').textContent = timer.banked ? 'Carry on' : 'Start';
    box.querySelector('[data-timer-stop]').hidden = !timer.since;
    box.querySelector('[data-timer-mark]').disabled = !timer.since;
    box.querySelector('[data-timer-reset]').disabled = !timer.since && !timer.banked;
    clearInterval(tick);
    tick = timer.since ? setInterval(() => {
      box.querySelector('[data-timer-clock]').textContent = clock(elapsed());
    }, 1000) : null;
  }
  function keep() {
    if (timer.since || timer.banked) localStorage.setItem(key, JSON.stringify(timer));
    else localStorage.removeItem(key);
    show();
  }
  const say = (text) => { box.querySelector('[data-timer-status]').textContent = text; };
  const fill = (input, value) => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true })); // the draft and the step's count
  };
  function stop() {
    if (!timer.since) return;
    timer = { since: null, banked: elapsed() };
    keep();
    const duration = form.querySelector('#duration');
    if (duration) fill(duration, clock(timer.banked));
    say(`Call timer stopped at ${clock(timer.banked)}.${duration ? ' How long the call lasted is filled in.' : ''}`);
  }
  if (box) {
    box.hidden = false;
    box.querySelector('[data-timer-start]').addEventListener('click', () => {
      timer = { since: Date.now() - timer.banked * 1000, banked: 0 };
      keep();
      say('Call timer started.');
      box.querySelector('[data-timer-stop]').focus();
    });
    box.querySelector('[data-timer-stop]').addEventListener('click', () => {
      stop();
      box.querySelector('[data-timer-start]').focus();
    });
    box.querySelector('[data-timer-reset]').addEventListener('click', () => {
      timer = { since: null, banked: 0 };
      keep();
      say('Call timer reset to 00:00.');
    });
    box.querySelector('[data-timer-mark]').addEventListener('click', () => {
      const row = freeRow();
      fill(row.querySelector('[name="moment_at"]'), clock(elapsed()));
      row.closest('details').open = true;
      row.querySelector('[name="moment_what"]').focus();
    });
    show();
  }

  // Times typed as minutes:seconds, checked before the note is kept (also offline), and a
  // running timer stopped so the note carries how long the call lasted. This listener runs
  // before the outbox's, which queues the note.
  const CLOCK = /^\s*(?:\d{1,3}:)?\d{1,3}:\d{2}\s*$/;
  form.addEventListener('submit', (event) => {
    stop();
    const bad = [...form.querySelectorAll('[name="moment_at"], #duration')]
      .find((el) => el.value.trim() && !CLOCK.test(el.value));
    const rowWithoutTime = [...form.querySelectorAll('[data-row]')].find((row) => {
      const [at, ...rest] = row.querySelectorAll('input');
      return !at.value.trim() && rest.some(hasValue);
    });
    const problem = bad || (rowWithoutTime && rowWithoutTime.querySelector('[name="moment_at"]'));
    form.querySelectorAll('[data-time-problem]').forEach((el) => el.remove());
    if (!problem) {
      localStorage.removeItem(key); // the call is in the note now: a next note starts at 00:00
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    const message = document.createElement('p');
    message.className = 'error';
    message.dataset.timeProblem = '';
    message.setAttribute('role', 'alert');
    message.textContent = problem.value.trim()
      ? `“${problem.value.trim()}” is not a time: write minutes:seconds, like 02:15.`
      : 'This moment needs its time into the call, like 02:15.';
    problem.after(message);
    problem.closest('details').open = true;
    problem.focus();
  }, true);
  window.addEventListener('pageshow', show);

  document.addEventListener('DOMContentLoaded', summariseAll); // after the outbox restored a draft
})();
