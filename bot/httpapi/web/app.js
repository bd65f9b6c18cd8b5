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
      throw new Error(needKey);
    }
    if (!resp.ok) throw new Error((body && body.error) || `the server answered ${resp.status}`);
    return body;
  }

  // takeKey keeps the API key typed in the key field, once it is shown.
  function takeKey() {
    if (keyRow.hidden) return;
    apiKey = keyInput.value.trim();
    sessionStorage.setItem("citebot-api-key", apiKey);
  }

  // needKey shows the key field; it is the message of a 401.
  const needKey = "this server needs an API key: enter it below the question and try again";

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = question.value.trim();
    if (!q) {
      status.textContent = "Type a question first.";
      question.focus();
      return;
    }
    takeKey();
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

  // The documents panel: the indexed documents, and where the server takes
  // writes from this client, upload (drop or choose files) and delete.
  const docsToggle = $("docs-toggle"), docsPanel = $("documents"), docsStatus = $("docs-status");
  const docsTable = $("docs-table"), docsList = $("docs-list"), actHead = docsTable.querySelector("th.act");
  const uploadBox = $("upload"), drop = $("drop"), fileInput = $("file-input"), uploads = $("uploads");
  let writable = false;

  docsToggle.addEventListener("click", () => {
    const open = docsPanel.hidden;
    docsPanel.hidden = !open;
    docsToggle.setAttribute("aria-expanded", String(open));
    if (open) loadDocuments();
  });

  // loadDocuments lists the indexed documents; it is called when the panel
  // opens and after every write.
  async function loadDocuments() {
    takeKey();
    docsPanel.setAttribute("aria-busy", "true");
    try {
      const body = await api("/v1/documents");
      writable = body.writable === true;
      uploadBox.hidden = actHead.hidden = !writable;
      docsList.replaceChildren(...body.documents.map(documentRow));
      docsTable.hidden = body.documents.length === 0;
      const n = body.documents.length;
      docsStatus.textContent = n === 0 ? "No documents are indexed." : `${n} document${n === 1 ? "" : "s"} indexed.`;
      docsStatus.classList.remove("error");
    } catch (err) {
      showError(docsStatus, err.message);
    } finally {
      docsPanel.removeAttribute("aria-busy");
    }
  }

  function showError(el, message) {
    el.textContent = "Error: " + message;
    el.classList.add("error");
  }

  function cell(...children) {
    const td = document.createElement("td");
    td.append(...children);
    return td;
  }

  function documentRow(d) {
    const tr = document.createElement("tr");
    tr.dataset.source = d.source;
    const title = document.createElement("span");
    title.className = "doc-name";
    title.textContent = d.title || d.source;
    const source = document.createElement("span");
    source.className = "meta";
    source.textContent = d.source;
    const chunks = cell(String(d.chunks));
    chunks.className = "num";
    tr.append(cell(title, source), cell(d.date || "—"), chunks);
    if (writable) {
      const act = cell(deleteButton(d));
      act.className = "act";
      tr.append(act);
    }
    return tr;
  }

  // deleteButton asks inline before it deletes: "Delete? Yes / No".
  function deleteButton(d) {
    const name = d.title || d.source;
    const del = document.createElement("button");
    del.type = "button";
    del.className = "delete";
    del.textContent = "Delete";
    del.setAttribute("aria-label", `Delete ${name}`);
    del.addEventListener("click", () => {
      const ask = document.createElement("span");
      ask.className = "confirm";
      ask.setAttribute("role", "group");
      ask.setAttribute("aria-label", `Delete ${name}?`);
      const yes = document.createElement("button");
      yes.type = "button";
      yes.className = "delete confirm-yes";
      yes.textContent = "Yes, delete";
      yes.setAttribute("aria-label", `Yes, delete ${name}`);
      const no = document.createElement("button");
      no.type = "button";
      no.className = "secondary";
      no.textContent = "No";
      no.setAttribute("aria-label", `No, keep ${name}`);
      ask.append("Delete? ", yes, " ", no);
      del.replaceWith(ask);
      no.focus();
      no.addEventListener("click", () => { ask.replaceWith(del); del.focus(); });
      yes.addEventListener("click", () => remove(d, yes, no));
    });
    return del;
  }

  async function remove(d, ...buttons) {
    for (const b of buttons) b.disabled = true;
    docsStatus.classList.remove("error");
    docsStatus.textContent = `Deleting ${d.source}…`;
    try {
      const path = d.source.split("/").map(encodeURIComponent).join("/");
      await api("/v1/documents/" + path, { method: "DELETE", headers: { "X-Citebot-Write": "1" } });
      await loadDocuments();
      docsStatus.textContent = `Deleted ${d.source}. ` + docsStatus.textContent;
      docsToggle.focus();
    } catch (err) {
      showError(docsStatus, `${d.source}: ${err.message}`);
      for (const b of buttons) b.disabled = false;
    }
  }

  fileInput.addEventListener("change", () => {
    const files = [...fileInput.files];
    fileInput.value = "";
    uploadAll(files);
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    uploadAll([...event.dataTransfer.files]);
  });
  // A file dropped beside the drop zone is not opened in place of the page.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (!drop.contains(event.target)) event.preventDefault();
    });
  }

  // uploadAll sends the files one after another, each with its own progress
  // bar, then lists the documents again.
  async function uploadAll(files) {
    if (files.length === 0 || !writable) return;
    takeKey();
    const items = files.map((f) => [f, uploadItem(f)]);
    let added = 0;
    for (const [file, item] of items) {
      if (await upload(file, item)) added++;
    }
    await loadDocuments();
    const failed = files.length - added;
    if (failed === 0) {
      docsStatus.textContent = `Added ${added} file${added === 1 ? "" : "s"}. ` + docsStatus.textContent;
    } else {
      showError(docsStatus, `${failed} of ${files.length} file${files.length === 1 ? "" : "s"} could not be added; see above.`);
    }
  }

  function uploadItem(file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "doc-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload of ${file.name}`);
    const note = document.createElement("p");
    note.className = "meta";
    note.textContent = "Waiting…";
    li.append(name, bar, note);
    uploads.prepend(li);
    return { li, bar, note };
  }

  // upload posts one file as a multipart form with XMLHttpRequest, whose
  // upload events give the progress fetch does not. It resolves to whether
  // the file was added.
  function upload(file, { li, bar, note }) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/documents");
      xhr.setRequestHeader("X-Citebot-Write", "1");
      if (apiKey) xhr.setRequestHeader("Authorization", "Bearer " + apiKey);
      xhr.responseType = "json";
      note.textContent = "Uploading…";
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        bar.max = event.total;
        bar.value = event.loaded;
      });
      // Once sent, the file is indexed before the reply: the bar turns
      // indeterminate.
      xhr.upload.addEventListener("load", () => {
        bar.removeAttribute("value");
        note.textContent = "Indexing…";
      });
      const fail = (message) => {
        bar.remove();
        li.classList.add("failed");
        showError(note, `${file.name}: ${message}`);
        resolve(false);
      };
      xhr.addEventListener("load", () => {
        const body = xhr.response;
        if (xhr.status === 200 || xhr.status === 201) {
          bar.max = bar.value = 1;
          li.classList.add("done");
          note.textContent = `Added as ${body.source}: ${body.title || body.source}, ${body.chunks} chunk${body.chunks === 1 ? "" : "s"}.`;
          resolve(true);
          return;
        }
        if (xhr.status === 401) {
          keyRow.hidden = false;
          fail(needKey);
        } else if (xhr.status === 409) {
          fail("a document of this name is already there; delete it first to add this version");
        } else {
          fail((body && body.error) || `the server answered ${xhr.status}`);
        }
      });
      xhr.addEventListener("error", () => fail("the upload did not reach the server"));
      const data = new FormData();
      data.append("file", file, file.name);
      xhr.send(data);
    });
  }
})();
