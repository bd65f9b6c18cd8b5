// citebot's page: ask a question, read the answer and its numbered
// citations, open a citation to see its passage highlighted in its document.
// Plain DOM, no build step; text is only ever inserted as text.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("ask-form"), question = $("question"), askButton = $("ask");
  const keyRow = $("key-row"), keyInput = $("api-key");
  const status = $("status");
  const result = $("result"), answer = $("answer"), confidence = $("confidence");
  const sources = $("sources-heading"), list = $("citations");
  const docSection = $("document"), docTitle = $("doc-title"), docMeta = $("doc-meta"), docText = $("doc-text");

  let apiKey = sessionStorage.getItem("citebot-api-key") || "";
  let opener = null; // the control that opened the document, refocused on close

  // api calls the JSON API and returns the decoded body, or throws an Error
  // carrying the server's {"error": ...} message.
  async function api(path, init = {}) {
    const headers = new Headers(init.headers || {});
    if (apiKey) headers.set("Authorization", "Bearer " + apiKey);
    const resp = await fetch(path, { ...init, headers });
    let body = null;
    try { body = await resp.json(); } catch { /* not JSON */ }
    if (resp.status === 401) {
      keyRow.hidden = false;
      throw new Error("this server needs an API key: enter it below the question and ask again");
    }
    if (!resp.ok) throw new Error((body && body.error) || `the server answered ${resp.status}`);
    return body;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = question.value.trim();
    if (!q) {
      status.textContent = "Type a question first.";
      question.focus();
      return;
    }
    if (!keyRow.hidden) {
      apiKey = keyInput.value.trim();
      sessionStorage.setItem("citebot-api-key", apiKey);
    }
    askButton.disabled = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Searching the documents…";
    try {
      const ans = await api("/v1/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: q }),
      });
      render(ans);
      const n = ans.citations.length;
      const low = lowConfidence(ans);
      status.textContent = ans.grounded
        ? `Answered with ${n} citation${n === 1 ? "" : "s"}${low ? `, with ${low.toLowerCase()}` : ""}.`
        : "The documents do not answer this question.";
    } catch (err) {
      result.hidden = true;
      status.textContent = "Error: " + err.message;
    } finally {
      askButton.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });

  // render shows an answer, its [n] markers turned into buttons that open
  // the cited passage, and the list of citations. A document's own
  // bracketed number, which the answer escapes as \[2\], is shown as
  // written and links nothing.
  function render(ans) {
    const byN = new Map(ans.citations.map((c) => [c.n, c]));
    answer.replaceChildren();
    answer.classList.toggle("abstained", !ans.grounded);
    const marker = /\\\[([^\]\\]*)\\\]|\[(\d+)\]/g;
    let last = 0, m;
    while ((m = marker.exec(ans.answer)) !== null) {
      answer.append(ans.answer.slice(last, m.index));
      if (m[1] !== undefined) {
        answer.append(`[${m[1]}]`);
      } else {
        const c = byN.get(Number(m[2]));
        answer.append(c ? citeButton(c, `[${c.n}]`, "cite") : m[0]);
      }
      last = marker.lastIndex;
    }
    answer.append(ans.answer.slice(last));

    const low = lowConfidence(ans);
    confidence.textContent = low ? `${low} — check the sources before relying on it.` : "";
    confidence.hidden = !low;

    list.replaceChildren();
    for (const c of ans.citations) {
      const li = document.createElement("li");
      li.value = c.n;
      li.id = `citation-${c.n}`;
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [c.source, c.section, c.date].filter(Boolean).join(" · ");
      const quote = document.createElement("blockquote");
      quote.textContent = c.text;
      li.append(citeButton(c, c.title || c.source, "source"), meta, quote);
      list.append(li);
    }
    sources.hidden = list.hidden = ans.citations.length === 0;
    result.hidden = false;
    docSection.hidden = true;
  }

  // lowConfidence says "Low confidence (38%)" for a grounded answer that is
  // less likely right than not (rag.Answer.LowConfidence), and "" otherwise.
  // The percentage is rounded down, so that it never reads 50%.
  function lowConfidence(ans) {
    const c = Number(ans.confidence);
    if (!ans.grounded || !(c < 0.5)) return "";
    return `Low confidence (${Math.floor(100 * Math.max(0, c) + 1e-9)}%)`;
  }

  function citeButton(c, label, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = label;
    b.dataset.n = String(c.n);
    b.setAttribute("aria-label", `Show citation ${c.n} in its document: ${c.title || c.source}`);
    b.addEventListener("click", () => showPassage(c, b));
    return b;
  }

  // showPassage opens the citation's document and highlights the passage.
  // A citation's text is verbatim from one kept span of its document, so it
  // is found in the document's cleaned text as is.
  async function showPassage(c, from) {
    status.textContent = `Opening ${c.title || c.source}…`;
    try {
      const path = c.source.split("/").map(encodeURIComponent).join("/");
      const doc = await api("/v1/documents/" + path);
      docTitle.textContent = doc.title || doc.source;
      docMeta.textContent = [doc.source, doc.date].filter(Boolean).join(" · ");
      docText.replaceChildren();
      const at = doc.text.indexOf(c.text);
      let mark = null;
      if (at < 0) {
        docText.append(doc.text);
      } else {
        mark = document.createElement("mark");
        mark.id = "passage";
        mark.tabIndex = -1;
        mark.dataset.n = String(c.n);
        mark.textContent = doc.text.slice(at, at + c.text.length);
        docText.append(doc.text.slice(0, at), mark, doc.text.slice(at + c.text.length));
      }
      docSection.hidden = false;
      opener = from;
      const target = mark || docTitle;
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
      status.textContent = mark
        ? `Showing citation [${c.n}] highlighted in ${doc.title || doc.source}.`
        : `Showing ${doc.title || doc.source}; the passage was not found in it.`;
    } catch (err) {
      status.textContent = "Error: " + err.message;
    }
  }

  $("doc-close").addEventListener("click", () => {
    docSection.hidden = true;
    if (opener) opener.focus();
  });
})();
