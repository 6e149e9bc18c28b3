// Heard before, while a facilitator types an insight: earlier insights from other programmes
// like the statement, refreshed as they type. Without JavaScript, "Check heard before" does it.
(function () {
  "use strict";
  const box = document.getElementById("statement");
  const list = document.getElementById("heard-list");
  if (!box || !list) return;
  document.getElementById("heard-check").hidden = true;
  const choices = [["", "No link"], ["confirms", "Confirms"], ["contradicts", "Contradicts"]];
  let timer = null;
  let asked = "";

  function chosen() {
    const out = {};
    list.querySelectorAll("input[type=radio]:checked").forEach((r) => { out[r.name] = r.value; });
    return out;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  function item(s, picked) {
    const li = el("li", { "data-insight": s.insight_id });
    if (s.link) li.dataset.linked = s.link;
    li.append(el("input", { type: "hidden", name: "link_ids", value: s.insight_id }));
    const p = el("p");
    p.append(el("a", { href: "/library/insights/" + s.insight_id, target: "_blank", rel: "noopener" }, s.statement));
    p.append(el("br"));
    const when = new Date(s.published_at).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
    p.append(el("span", { class: "muted" }, s.programme + " · " + when));
    li.append(p);
    const set = el("fieldset", { class: "choices" });
    set.append(el("legend", { class: "visually-hidden" }, "This insight and “" + s.statement + "”"));
    const name = "link_" + s.insight_id;
    const current = picked[name] !== undefined ? picked[name] : (s.link || "");
    choices.forEach(([value, label]) => {
      const lab = el("label", { class: "check" });
      const radio = el("input", { type: "radio", name: name, value: value });
      radio.checked = value === current;
      lab.append(radio, " " + label);
      set.append(lab);
    });
    li.append(set);
    return li;
  }

  async function refresh() {
    const text = box.value.trim();
    if (text.length < 12 || text === asked) return;
    asked = text;
    const url = box.dataset.heardUrl + "&text=" + encodeURIComponent(text);
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok || text !== box.value.trim()) return;
      const found = (await response.json()).insights;
      const picked = chosen();
      // Keep the insights linked before or picked now (so unlinking one is saved too), then
      // the new suggestions.
      const kept = [...list.querySelectorAll("li[data-insight]")].filter(
        (li) => li.dataset.linked || (picked["link_" + li.dataset.insight] || "") !== ""
      );
      const keptIds = new Set(kept.map((li) => li.dataset.insight));
      list.replaceChildren(...kept, ...found.filter((s) => !keptIds.has(String(s.insight_id))).map((s) => item(s, picked)));
      if (!list.children.length) list.append(el("li", { class: "muted" }, "Nothing like it from other programmes yet."));
    } catch (err) {
      // Offline or the server is away: the form still saves; suggestions come back later.
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
  if (box.value.trim() && !list.querySelector("li[data-insight]")) refresh();
})();
