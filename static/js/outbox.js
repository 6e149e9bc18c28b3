// The outbox: a note is written to IndexedDB before any network call, then sent one at a time.
// A record leaves the phone only when the server confirms its client id; on a network error,
// a 5xx or a 401 it stays. A note the server refuses stays too, with the reason shown.
(() => {
  const DB_NAME = 'listening-post';
  const STORE = 'outbox';
  const signedIn = () => document.querySelector('form[action="/logout"]') !== null;
  let sending = false;
  let lastSent = localStorage.getItem('lp-last-sent');
  let offline = !navigator.onLine;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'client_id' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const result = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close(); // iOS may close it under memory pressure anyway: open per use
    }
  }

  const all = () => withStore('readonly', (s) => s.getAll());
  const put = (record) => withStore('readwrite', (s) => s.put(record));
  const remove = (clientId) => withStore('readwrite', (s) => s.delete(clientId));

  // Form values as note fields; the server checks them again against the same limits.
  function fieldsOf(form) {
    const fields = {};
    const data = new FormData(form);
    form.querySelectorAll('[data-kind]').forEach((el) => {
      const value = (data.get(el.name) || '').trim();
      if (!value) return;
      if (el.dataset.kind === 'lines') fields[el.name] = value.split('\n').map((v) => v.trim()).filter(Boolean);
      else fields[el.name] = value;
    });
    const tags = [...data.getAll('tag_picks'), ...(fields.tags || '').split(',')].map((t) => t.trim()).filter(Boolean);
    if (tags.length) fields.tags = [...new Set(tags)]; else delete fields.tags;
    ['mood', 'effort', 'mood_start', 'mood_end'].forEach((name) => {
      if (data.get(name)) fields[name] = Number(data.get(name));
    });
    if (data.getAll('labels').length) fields.labels = data.getAll('labels');
    if (data.get('consent')) fields.consent = true;
    if (data.get('resolved_first_contact')) fields.resolved_first_contact = data.get('resolved_first_contact') === 'yes';
    if (data.get('duration')) fields.duration = seconds(data.get('duration'));
    // A call's moments, one row each: time into the call, what happened, their words.
    const what = data.getAll('moment_what');
    const words = data.getAll('moment_words');
    const rows = data.getAll('moment_at').map((at, i) => ({
      at: at.trim(), what: (what[i] || '').trim(), words: (words[i] || '').trim().replace(/^["“”]+|["“”]+$/g, ''),
    })).filter((m) => m.at || m.what || m.words).map((m) => ({ ...m, at: m.at ? seconds(m.at) : null }));
    if (rows.length) fields.moments = rows;
    return fields;
  }

  // `04:30` or `1:04:30` as seconds; anything else goes as typed, for the server to explain.
  function seconds(text) {
    const match = text.trim().match(/^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})$/);
    return match ? Number(match[1] || 0) * 3600 + Number(match[2]) * 60 + Number(match[3]) : text;
  }

  async function csrfToken() {
    const response = await fetch('/api/v1/csrf-token', { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) throw Object.assign(new Error('signed out'), { signedOut: true });
    if (!response.ok) throw new Error('no token');
    return (await response.json()).token;
  }

  const queued = async () => (await all()).sort((a, b) => (a.seq || 0) - (b.seq || 0));

  const BATCH = 50; // notes per request: few round trips, yet cheap to resend over a weak signal

  // An outcome is a reason to stop, or which records the server confirmed and which it refused.
  async function sendNotes(records, token) {
    const response = await fetch('/api/v1/sync', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify({ items: records.map((r) => r.item) }),
    });
    if (!response.ok) return { stop: response.status === 401 ? 'signed out' : 'server' };
    const outcome = { confirmed: new Set(), refused: new Map() };
    for (const result of (await response.json()).results) {
      if (result.status === 'rejected') outcome.refused.set(result.client_id, result.errors);
      else outcome.confirmed.add(result.client_id);
    }
    return outcome;
  }

  async function sendPhoto(record, token) {
    const body = new FormData();
    body.append('client_id', record.client_id);
    body.append('note_client_id', record.note_client_id);
    body.append('shows_person', String(record.shows_person));
    body.append('consent', String(record.consent));
    body.append('file', record.blob, 'photo.jpg');
    const response = await fetch('/api/v1/photos', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': token }, body,
    });
    if (response.status === 401) return { stop: 'signed out' };
    if (response.status >= 500) return { stop: 'server' };
    if (response.ok) return { confirmed: new Set([record.client_id]), refused: new Map() };
    const error = await response.json().catch(() => ({}));
    const reason = (error.error && error.error.message) || `refused (${response.status})`;
    return { confirmed: new Set(), refused: new Map([[record.client_id, { photo: reason }]]) };
  }

  // A record leaves the phone only once the server confirmed its client id (one transaction a batch).
  async function settle(records, outcome) {
    await withStore('readwrite', (store) => records.forEach((record) => {
      if (outcome.confirmed.has(record.client_id)) store.delete(record.client_id);
      else if (outcome.refused.has(record.client_id)) {
        store.put({ ...record, state: 'rejected', errors: outcome.refused.get(record.client_id) });
      }
    }));
    if (outcome.confirmed.size) {
      lastSent = new Date().toISOString();
      localStorage.setItem('lp-last-sent', lastSent);
    }
  }

  // My notes lists what the server holds: when notes arrive, it shows them without a reload.
  async function refreshSaved() {
    const list = document.querySelector('[data-saved-list]');
    if (!list) return;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.querySelector('[data-saved-list]');
      if (fresh) list.replaceChildren(...fresh.childNodes);
    } catch (error) { /* offline again: the list stays as it was until the next sync */ }
  }

  async function flush() {
    if (sending || !signedIn()) return render();
    sending = true;
    let stop = null;
    let arrived = false;
    try {
      const waiting = (await queued()).filter((r) => r.state !== 'rejected');
      if (waiting.length) {
        const token = await csrfToken(); // fresh for each flush: a session may have been renewed
        const notes = waiting.filter((r) => !r.kind);
        for (let i = 0; i < notes.length && !stop; i += BATCH) {
          const batch = notes.slice(i, i + BATCH);
          const outcome = await sendNotes(batch, token);
          if (outcome.stop) stop = outcome.stop; else await settle(batch, outcome);
          arrived = arrived || Boolean(outcome.confirmed && outcome.confirmed.size);
        }
        // A photo goes once its note has arrived; it waits while the note is still on the phone.
        const held = new Set((await all()).filter((r) => !r.kind).map((r) => r.client_id));
        for (const photo of waiting.filter((r) => r.kind === 'photo' && !held.has(r.note_client_id))) {
          if (stop) break;
          const outcome = await sendPhoto(photo, token);
          if (outcome.stop) stop = outcome.stop; else await settle([photo], outcome);
          arrived = arrived || Boolean(outcome.confirmed && outcome.confirmed.size);
        }
      }
    } catch (error) {
      stop = error.signedOut ? 'signed out' : 'network';
    } finally {
      sending = false;
      offline = stop === 'network';
      await render(stop);
      if (arrived) await refreshSaved();
    }
  }

  function bar() {
    let el = document.querySelector('[data-outbox-bar]');
    if (!el) {
      el = document.createElement('p');
      el.className = 'outbox-bar';
      el.setAttribute('role', 'status');
      el.dataset.outboxBar = '';
      el.hidden = true;
      document.querySelector('header.top').after(el);
    }
    return el;
  }

  function describe(errors) {
    return Object.entries(errors || {}).map(([field, message]) => `${field.replace(/_/g, ' ')}: ${message}`).join('; ');
  }

  async function render(stop) {
    let records = [];
    try { records = await all(); } catch (error) { records = []; }
    const waiting = records.filter((r) => r.state !== 'rejected');
    const refused = records.filter((r) => r.state === 'rejected');
    // The page's own clock (24 or 12 hours, from the server), so no page shows both.
    const hourCycle = document.documentElement.dataset.hourCycle || 'h23';
    const at = lastSent ? new Date(lastSent).toLocaleTimeString([], { hour: hourCycle === 'h12' ? 'numeric' : '2-digit', minute: '2-digit', hourCycle }) : null;
    let text = '';
    if (waiting.length) {
      const count = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
      const photos = waiting.filter((r) => r.kind === 'photo').length;
      const notes = waiting.length - photos;
      text = [notes && count(notes, 'note'), photos && count(photos, 'photo')].filter(Boolean).join(' and ');
      text += ' waiting to send';
      if (stop === 'signed out') text += ': sign in again to send them';
      else if (offline) text += ': no connection, they are kept on this phone';
    } else if (at) {
      text = `All notes sent at ${at}`;
    }
    if (refused.length) text += `${text ? '. ' : ''}${refused.length} refused: see My notes`;
    const el = bar();
    el.textContent = text;
    el.hidden = !text;
    const panel = document.querySelector('[data-outbox-panel]');
    if (panel) {
      panel.hidden = records.length === 0;
      panel.querySelector('[data-outbox-status]').textContent = text;
      const list = panel.querySelector('[data-outbox-list]');
      list.replaceChildren(...records.map((r) => {
        const li = document.createElement('li');
        const what = r.kind === 'photo' ? `Photo for note ${r.note_client_id.slice(0, 8)}`
          : r.item.type === 'call_note' ? 'Call note' : 'Observation';
        li.textContent = `${what} · id ${r.client_id.slice(0, 8)} · ${r.state === 'rejected' ? `refused: ${describe(r.errors)}` : 'waiting'} `;
        if (r.state === 'rejected') {
          const fix = r.kind !== 'photo' && r.form;
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'button';
          button.textContent = fix ? 'Fix and resend' : 'Discard';
          button.dataset[fix ? 'fix' : 'discard'] = r.client_id;
          li.append(button);
        }
        return li;
      }));
    }
  }

  // A phone photo of several MB becomes about 300 KB before it waits for a slow network;
  // the server re-encodes it again anyway. Formats the browser cannot draw go as they are.
  async function shrink(file) {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
      return blob && blob.size < file.size ? blob : file;
    } catch (error) {
      return file;
    }
  }

  let seq = Date.now() * 100;
  const nextSeq = () => (seq += 1);

  // Photos from the camera and from the gallery, less those removed from the previews.
  const chosenPhotos = (form) => [...form.querySelectorAll('input[data-photos]')].flatMap((input) => [...input.files]);

  function photoProblem(form) {
    const files = chosenPhotos(form);
    const data = new FormData(form);
    if (files.length > 5) return { files, problem: 'A note can have at most 5 photos.' };
    if (files.length && data.get('shows_person') && !data.get('photo_consent')) {
      return { files, problem: 'Someone can be recognised: confirm they agreed to the photo, or leave it out.' };
    }
    return { files, problem: null };
  }

  async function queueNote(form, files) {
    const item = {
      client_id: form.elements.client_id.value,
      type: form.dataset.noteType,
      activity_id: Number(form.dataset.activityId),
      fields: fieldsOf(form),
      updated_at: new Date().toISOString(),
    };
    if (form.elements.task_id) item.task_id = Number(form.elements.task_id.value);
    // Frozen once queued: an edit later is a new version, never a change to this record.
    await put({
      client_id: item.client_id,
      item,
      form: formValues(form),
      path: location.pathname,
      state: 'pending',
      queued_at: item.updated_at,
      seq: nextSeq(),
    });
    const data = new FormData(form);
    for (const file of files) {
      await put({
        client_id: crypto.randomUUID(),
        kind: 'photo',
        note_client_id: item.client_id,
        blob: await shrink(file),
        shows_person: Boolean(data.get('shows_person')),
        consent: Boolean(data.get('photo_consent')),
        state: 'pending',
        queued_at: item.updated_at,
        seq: nextSeq(),
      });
    }
    clearTimeout(draftTimer); // a draft saved after this would bring the sent note back
    draftTimer = null;
    localStorage.removeItem(draftKey(form));
    if ('serviceWorker' in navigator && 'SyncManager' in window) {
      navigator.serviceWorker.ready.then((reg) => reg.sync.register('outbox')).catch(() => {});
    }
  }

  // Drafts: every change is kept, so a reload or a flat battery loses a few seconds at most.
  const draftKey = (form) => `lp-draft:${location.pathname}`;

  function formValues(form) {
    const values = {};
    new FormData(form).forEach((value, key) => {
      if (key === 'csrf_token' || value instanceof File) return;
      values[key] = key in values ? [].concat(values[key], value) : value;
    });
    return values;
  }

  const saveDraft = (form) => localStorage.setItem(draftKey(form), JSON.stringify(formValues(form)));
  // Kept a moment after the last key, not on every key: a slow phone stays quick to type on.
  let draftTimer = null;
  const saveDraftSoon = (form) => {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => { draftTimer = null; saveDraft(form); }, 300);
  };

  // A refused note goes back into its form as a draft (same id, so its photos still follow it).
  async function fixRefused(clientId) {
    const record = (await all()).find((r) => r.client_id === clientId);
    if (!record) return;
    localStorage.setItem(`lp-draft:${record.path}`, JSON.stringify(record.form));
    await remove(clientId);
    location.href = record.path;
  }

  async function discard(clientId) {
    if (!window.confirm('Discard this from the phone? It has not reached the server.')) return;
    await remove(clientId);
    render();
  }

  function restoreDraft(form) {
    const saved = localStorage.getItem(draftKey(form));
    if (form.querySelector('.has-error, [data-form-error]')) return; // a page sent back already holds the input
    const isNew = form.dataset.capture === 'new';
    // A page opened from the offline cache carries an old id: each new note needs its own.
    if (!saved) { if (isNew) form.elements.client_id.value = crypto.randomUUID(); return; }
    const values = JSON.parse(saved);
    // A draft of an edit counts only on top of the version it was made on.
    if (!isNew && values.version !== form.elements.version.value) return;
    Object.entries(values).forEach(([key, value]) => {
      const values = [].concat(value);
      // Repeated rows (a call's moments): the form adds rows until every value has one.
      form.dispatchEvent(new CustomEvent('lp:rows', { detail: { name: key, count: values.length } }));
      form.querySelectorAll(`[name="${CSS.escape(key)}"]`).forEach((el, i) => {
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = values.includes(el.value);
        else if (el.type !== 'hidden' || key === 'client_id') el.value = values[i] ?? '';
      });
    });
  }

  // Any [data-contacts] field on any page (a note, the debrief board) warns while typing; the
  // server finds and removes the same details (app/capture/redaction.py).
  const CONTACTS = [
    /[\w.+-]+@[\w-]+(\.[\w-]+)+/,
    /(?:\+|\b0)\d(?:[ .-]?\d){8,14}/,
    /(?:\(\d{3}\)|\b\d{3})[ .-]?\d{3}[ .-]\d{4}\b/,
    /\b(?:\d[ -]?){12,18}\d\b/,
    /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/,
  ];

  function checkContacts(el) {
    const warning = document.getElementById(`${el.id}-contacts`);
    if (warning) warning.hidden = !CONTACTS.some((re) => re.test(el.value));
  }

  function setUpContactWarnings() {
    document.addEventListener('input', (event) => {
      if (event.target.matches?.('[data-contacts]')) checkContacts(event.target);
    });
    document.querySelectorAll('[data-contacts]').forEach(checkContacts);
  }

  // Each camera shot joins the photos chosen, all kept in the "photos" input (so a form sent
  // without this script still carries them) and shown as previews that can be removed.
  function setUpPhotos(form) {
    const gallery = form.querySelector('#photos');
    const list = form.querySelector('[data-photo-previews]');
    if (!gallery || !list || typeof DataTransfer === 'undefined') return;
    let kept = [];
    const keep = (files) => {
      kept = files;
      const all = new DataTransfer();
      files.forEach((file) => all.items.add(file));
      gallery.files = all.files;
      list.replaceChildren(...files.map((file, i) => {
        const item = document.createElement('li');
        const img = document.createElement('img');
        img.src = URL.createObjectURL(file);
        img.alt = `Photo ${i + 1}`;
        img.addEventListener('load', () => URL.revokeObjectURL(img.src));
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'button';
        remove.textContent = `Remove photo ${i + 1}`;
        remove.addEventListener('click', () => keep(kept.filter((_, j) => j !== i)));
        item.append(img, remove);
        return item;
      }));
    };
    gallery.addEventListener('change', () => keep([...kept, ...gallery.files]));
    const camera = form.querySelector('#camera');
    if (camera) {
      camera.addEventListener('change', () => {
        const shots = [...camera.files];
        camera.value = '';
        keep([...kept, ...shots]);
      });
    }
  }

  function setUpCapture(form) {
    setUpPhotos(form);
    restoreDraft(form);
    form.addEventListener('input', () => saveDraftSoon(form));
    addEventListener('pagehide', () => { if (draftTimer) saveDraft(form); });
    form.querySelectorAll('[data-contacts]').forEach(checkContacts); // a restored draft
    if (form.dataset.capture !== 'new') return; // edits of stored notes post as a plain form
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const { files, problem } = photoProblem(form);
      const warning = form.querySelector('[data-photo-problem]');
      if (warning) { warning.textContent = problem || ''; warning.hidden = !problem; }
      if (problem) { warning.closest('details')?.setAttribute('open', ''); warning.scrollIntoView(); return; }
      try {
        await queueNote(form, files);
      } catch (error) {
        form.submit(); // no IndexedDB (private mode): the plain form post still saves the note
        return;
      }
      location.href = '/notes';
    });
  }

  const dataUrl = (blob) => new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });

  function exportPending() {
    all().then(async (records) => {
      const copy = await Promise.all(records.map(async (r) => (r.blob ? { ...r, blob: await dataUrl(r.blob) } : r)));
      const blob = new Blob([JSON.stringify(copy, null, 2)], { type: 'application/json' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `listening-post-notes-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    });
  }

  // Installed apps keep their storage; in a browser tab, iOS may clear it after 7 days unused.
  async function adviseInstall() {
    const hint = document.querySelector('[data-install-hint]');
    if (!hint || matchMedia('(display-mode: standalone)').matches || navigator.standalone) return;
    const persisted = navigator.storage && navigator.storage.persist
      ? await navigator.storage.persist().catch(() => false) : false;
    const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.maxTouchPoints > 1 && /Mac/.test(navigator.userAgent));
    hint.hidden = persisted && !ios;
  }

  // Pages needed in the field are kept fresh for offline use, each at most every 15 minutes.
  const FIELD_PAGES = ['/', '/notes', '/notes/new', '/schedule', '/tasks'];

  async function warmPages() {
    if (!navigator.onLine || !signedIn() || !('serviceWorker' in navigator)) return;
    const links = [...document.querySelectorAll('a[data-offline]')].map((a) => a.getAttribute('href'));
    const warmed = JSON.parse(localStorage.getItem('lp-warmed') || '{}');
    const due = [...new Set([...FIELD_PAGES, ...links])].filter((url) => !(Date.now() - (warmed[url] || 0) < 900000));
    if (!due.length) return;
    const registration = await navigator.serviceWorker.ready;
    registration.active.postMessage({ warm: due });
    due.forEach((url) => { warmed[url] = Date.now(); });
    localStorage.setItem('lp-warmed', JSON.stringify(warmed));
  }

  document.addEventListener('DOMContentLoaded', () => {
    setUpContactWarnings();
    if (!('indexedDB' in window)) return;
    adviseInstall();
    const form = document.querySelector('form[data-capture]');
    if (form) setUpCapture(form);
    document.querySelector('[data-sync-now]')?.addEventListener('click', flush);
    document.querySelector('[data-export]')?.addEventListener('click', exportPending);
    document.querySelector('[data-outbox-list]')?.addEventListener('click', (event) => {
      const { fix, discard: gone } = event.target.dataset;
      if (fix) fixRefused(fix);
      else if (gone) discard(gone);
    });
    document.querySelector('form[action="/logout"]')?.addEventListener('submit', () => {
      navigator.serviceWorker?.controller?.postMessage('clear-pages'); // notes stay in the outbox
      localStorage.removeItem('lp-warmed');
    });
    window.addEventListener('online', () => { offline = false; flush(); });
    window.addEventListener('offline', () => { offline = true; render(); });
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flush(); });
    navigator.serviceWorker?.addEventListener('message', (event) => { if (event.data === 'flush') flush(); });
    setInterval(flush, 60000);
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
    warmPages().catch(() => {});
    flush();
  });
})();
