// citebot's operators' view: the share of questions declined per day, the
// answers voted down with their comments, and the recent questions with
// their answers, citations, confidence and votes. It reads /v1/admin/*
// with the API key typed here (kept for the tab, shared with the question
// page). Plain DOM, no build step; text is only ever inserted as text.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const keyForm = $("key-form"), keyInput = $("api-key");
  const status = $("status"), errorLine = $("error");
  const more = $("more");
  const step = 50, most = 500;
  let apiKey = sessionStorage.getItem("citebot-api-key") || "";
  let limit = step;

  class APIError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(path) {
    const headers = new Headers();
    if (apiKey) headers.set("Authorization", "Bearer " + apiKey);
    const resp = await fetch(path, { headers });
    if (!resp.ok) {
      let body = null;
      try { body = await resp.json(); } catch { /* not JSON */ }
      throw new APIError((body && body.error) || `the server answered ${resp.status}`, resp.status);
    }
    return resp.json();
  }

  function say(text) {
    status.textContent = text;
    errorLine.hidden = true;
  }
  function sayError(message) {
    status.textContent = "";
    errorLine.textContent = message;
    errorLine.hidden = false;
  }

  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey = keyInput.value.trim();
    sessionStorage.setItem("citebot-api-key", apiKey);
    load();
  });
  more.addEventListener("click", () => {
    limit = Math.min(limit + step, most);
    loadRecent(true);
  });

  // load fetches the three views; a missing key, a remote client or a
  // server without a history is said once, for all of them.
  async function load() {
    say("Loading…");
    try {
      const [declined, down, recent] = await Promise.all([
        api("/v1/admin/declined-per-day?days=30"),
        api("/v1/admin/feedback?vote=down&limit=" + step),
        api("/v1/admin/recent?limit=" + limit),
      ]);
      keyForm.hidden = true;
      showDeclined(declined);
      showRecords("down", down.records);
      showRecent(recent.records);
      say(`Showing ${plural(recent.records.length, "recent question")}.`);
    } catch (err) {
      for (const id of ["declined-section", "down-section", "recent-section"]) $(id).hidden = true;
      if (err.status === 401) {
        keyForm.hidden = false;
        sayError(apiKey ? "That API key is not one of this server's keys: enter another." : "This server needs an API key: enter it above.");
        keyInput.focus();
      } else if (err.status === 403) {
        sayError("This view is open only on the server's own machine (loopback) while the server has no API keys.");
      } else if (err.status === 501) {
        sayError("The history is off on this server: it keeps no questions, answers or votes.");
      } else {
        sayError("Error: " + err.message);
      }
    }
  }

  async function loadRecent(focusNext) {
    const before = $("recent").children.length;
    try {
      const recent = await api("/v1/admin/recent?limit=" + limit);
      showRecent(recent.records);
      say(`Showing ${plural(recent.records.length, "recent question")}.`);
      const next = $("recent").children[before];
      if (focusNext && next) next.querySelector("h3").focus();
    } catch (err) {
      sayError("Error: " + err.message);
    }
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const percent = (c) => `${Math.floor(100 * Math.min(1, Math.max(0, Number(c) || 0)) + 1e-9)}%`;

  function showDeclined(body) {
    $("declined-section").hidden = false;
    $("declined-empty").hidden = body.days.length > 0;
    $("declined-table").hidden = body.days.length === 0;
    // Newest day first, as the lists below.
    $("declined").replaceChildren(...body.days.slice().reverse().map((d) => {
      const tr = document.createElement("tr");
      const share = d.asked ? d.declined / d.asked : 0;
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.setAttribute("aria-hidden", "true");
      const fill = document.createElement("span");
      fill.style.width = `${Math.round(share * 100)}%`;
      bar.append(fill);
      const label = document.createElement("span");
      label.className = "share-label";
      label.textContent = percent(share);
      const cells = [d.day, String(d.asked), String(d.declined)].map((text, i) => {
        const td = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        else td.className = "num";
        td.textContent = text;
        return td;
      });
      const shareCell = document.createElement("td");
      shareCell.className = "share";
      shareCell.append(label, bar);
      tr.append(...cells, shareCell);
      return tr;
    }));
  }

  function showRecent(records) {
    showRecords("recent", records);
    $("recent-count").textContent = `The latest ${plural(records.length, "question")}, newest first.`;
    more.hidden = records.length < limit || limit >= most;
  }

  function showRecords(id, records) {
    $(id + "-section").hidden = false;
    $(id + "-empty").hidden = records.length > 0;
    $(id).replaceChildren(...records.map(record));
  }

  // when is a time as "2025-03-14 09:31 UTC".
  const when = (at) => at.slice(0, 16).replace("T", " ") + " UTC";

  const unescapeMarkers = (s) => s.replace(/\\([[\]])/g, "$1");

  // record is one question: what was asked, when and where; whether it was
  // answered and how surely; the votes; the answer; its citations, each a
  // link to its document on the question page; and the comments.
  function record(r) {
    const li = document.createElement("li");
    li.className = "record";
    li.dataset.id = r.id;
    const h = document.createElement("h3");
    h.tabIndex = -1;
    h.textContent = r.question;
    const meta = document.createElement("p");
    meta.className = "meta";
    const time = document.createElement("time");
    time.dateTime = r.at;
    time.textContent = when(r.at);
    meta.append(time, r.front ? ` · ${r.front}` : "");
    const tags = document.createElement("p");
    tags.className = "tags";
    const result = document.createElement("span");
    const low = r.answer.grounded && Number(r.answer.confidence) < 0.5;
    result.className = "tag " + (!r.answer.grounded ? "declined" : low ? "low" : "answered");
    result.textContent = !r.answer.grounded ? "Declined" : `${low ? "Low confidence" : "Confidence"} ${percent(r.answer.confidence)}`;
    tags.append(result);
    if (r.up || r.down) {
      const votes = document.createElement("span");
      votes.className = "tag votes";
      votes.textContent = `${plural(r.up, "vote")} up · ${r.down} down`;
      tags.append(votes);
    }
    const answer = document.createElement("p");
    answer.className = "answer" + (r.answer.grounded ? "" : " abstained");
    answer.textContent = unescapeMarkers(r.answer.answer);
    li.append(h, meta, tags, answer);
    const cites = r.answer.citations || [];
    if (cites.length > 0) {
      const ol = document.createElement("ol");
      ol.className = "cites";
      ol.setAttribute("aria-label", "Citations");
      for (const c of cites) {
        const item = document.createElement("li");
        item.value = c.n;
        const a = document.createElement("a");
        a.href = "/?doc=" + encodeURIComponent(c.source);
        a.textContent = c.title || c.source;
        item.append(a, ` · ${c.source}`);
        ol.append(item);
      }
      li.append(ol);
    }
    const comments = (r.feedback || []).filter((f) => f.comment);
    if (comments.length > 0) {
      const ul = document.createElement("ul");
      ul.className = "comments";
      ul.setAttribute("aria-label", "Comments");
      for (const f of comments) {
        const item = document.createElement("li");
        const q = document.createElement("blockquote");
        q.textContent = f.comment;
        const by = document.createElement("p");
        by.className = "meta";
        by.textContent = `Voted ${f.vote} · ${when(f.at)}`;
        item.append(q, by);
        ul.append(item);
      }
      li.append(ul);
    }
    return li;
  }

  keyInput.value = apiKey;
  load();
})();
