// citebot's page: ask a question, read the answer and its numbered
// citations, open a citation to see its passage highlighted in its document,
// ask follow-ups in the same conversation, and vote on answers.
// Plain DOM, no build step; text is only ever inserted as text.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("ask-form"), question = $("question"), askButton = $("ask");
  const keyRow = $("key-row"), keyInput = $("api-key");
  const status = $("status"), errorLine = $("error");
  const welcome = $("welcome"), loadingBox = $("loading"), loadingTries = $("loading-tries");
  const docCount = $("doc-count"), emptyHint = $("empty-hint"), examples = $("examples"), exampleList = $("example-list");
  const result = $("result"), answer = $("answer"), confidence = $("confidence"), answerNote = $("note");
  const abstainHelp = $("abstain-help");
  const sources = $("sources-heading"), list = $("citations");
  const docSection = $("document"), docTitle = $("doc-title"), docMeta = $("doc-meta"), docText = $("doc-text");
  const asked = $("asked"), feedbackBox = $("feedback");
  const convSection = $("conversation"), turnList = $("turns"), newConversation = $("new-conversation");

  let apiKey = sessionStorage.getItem("citebot-api-key") || "";
  let opener = null; // the control that opened the document, refocused on close
  let indexed = null; // how many documents are indexed, once known
  let pending = ""; // a question to ask once the index has loaded
  let retry = 0, tries = 0; // the timer and count of checks while it loads
  let unavailable = 0; // asks answered 503 in a row
  // The conversation: its id (kept for the tab, so that a reload goes on
  // with it) and the latest turn, shown as the answer; earlier turns are
  // listed above it.
  let conversation = sessionStorage.getItem("citebot-conversation") || "";
  let latest = null; // {id, question, answer}

  // APIError is a failed call: the server's {"error": ...} message and the
  // status.
  class APIError extends Error {
    constructor(message, status, retryAfter) {
      super(message);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  // send makes a request with the API key, if there is one.
  function send(path, init = {}) {
    const headers = new Headers(init.headers || {});
    if (apiKey) headers.set("Authorization", "Bearer " + apiKey);
    return fetch(path, { ...init, headers });
  }

  // failure turns a response that is not OK into an APIError; a 401 shows
  // the key field.
  async function failure(resp) {
    let body = null;
    try { body = await resp.json(); } catch { /* not JSON */ }
    if (resp.status === 401) {
      keyRow.hidden = false;
      return new APIError(needKey, 401);
    }
    const message = (body && body.error) || `the server answered ${resp.status}`;
    return new APIError(message, resp.status, Number(resp.headers.get("Retry-After")) || 0);
  }

  // api calls the JSON API and returns the decoded body, or throws an
  // APIError.
  async function api(path, init = {}) {
    const resp = await send(path, init);
    if (!resp.ok) throw await failure(resp);
    return resp.json();
  }

  // takeKey keeps the API key typed in the key field, once it is shown.
  function takeKey() {
    if (keyRow.hidden) return;
    apiKey = keyInput.value.trim();
    sessionStorage.setItem("citebot-api-key", apiKey);
  }

  // needKey shows the key field; it is the message of a 401.
  const needKey = "this server needs an API key: enter it below the question and try again";

  // say puts a line in the status; sayError shows an error, which looks
  // different and is announced at once.
  function say(text) {
    status.textContent = text;
    errorLine.hidden = true;
  }
  function sayError(message) {
    status.textContent = "";
    errorLine.textContent = "Error: " + message;
    errorLine.hidden = false;
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  // The index answers 503 while it loads: the page says so, checks again
  // every few seconds (sooner if the server says), and asks the pending
  // question once it has loaded.
  function waitForIndex(err) {
    loadingBox.hidden = false;
    welcome.hidden = false;
    if (retry) return;
    const seconds = Math.min(Math.max(err.retryAfter || 2, 1), 2);
    retry = setTimeout(() => { retry = 0; loadOverview(); }, seconds * 1000);
  }

  // loadOverview fetches the document list for the empty state: how many
  // documents there are and a few of their titles to ask about.
  async function loadOverview() {
    takeKey();
    try {
      showOverview(await api("/v1/documents"));
    } catch (err) {
      if (err.status === 503) {
        tries++;
        loadingTries.textContent = tries > 1 ? ` (checked ${tries} times)` : "";
        if (!pending) say("The index is loading; this page goes on by itself when it is ready.");
        waitForIndex(err);
      } else if (err.status === 401) {
        say("This server needs an API key: enter it below the question.");
      } else {
        sayError(err.message);
      }
      return;
    }
    if (!loadingBox.hidden) {
      loadingBox.hidden = true;
      if (!pending) say("The index has loaded.");
    }
    if (pending) {
      const q = pending;
      pending = "";
      ask(q);
    }
  }

  // showOverview shows the number of documents, a link to their list and,
  // as examples, a few of their titles: a title is the words a document
  // uses for what it is about, and asked as a question it finds the
  // passage that says so, whatever the corpus.
  function showOverview(body) {
    indexed = body.documents.length;
    const browse = (text) => {
      const a = document.createElement("a");
      a.href = "#documents";
      a.className = "browse";
      a.textContent = text;
      return a;
    };
    docCount.replaceChildren(`${plural(indexed, "document")} indexed.`);
    if (indexed > 0) docCount.append(" ", browse("Browse the documents"));
    emptyHint.hidden = indexed !== 0;
    if (body.writable) {
      emptyHint.replaceChildren(browse("Add files"), " to start asking.");
    } else {
      emptyHint.textContent = "Add files to the corpus folder to start asking; the server indexes them when it sees them.";
    }
    const titles = exampleTitles(body.documents);
    exampleList.replaceChildren(...titles.map((t) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "example";
      b.textContent = t;
      b.addEventListener("click", () => { question.value = t; ask(t); });
      li.append(b);
      return li;
    }));
    examples.hidden = titles.length === 0;
  }

  // exampleTitles picks up to four whole titles of a readable length, spread
  // over the list; titles cut short ("…") and long ones make poor prompts.
  function exampleTitles(docs) {
    const seen = new Set();
    const ok = [];
    for (const d of docs) {
      const t = (d.title || "").trim();
      const words = t.split(/\s+/).length;
      if (words < 2 || t.length > 100 || t.endsWith("…") || seen.has(t.toLowerCase())) continue;
      seen.add(t.toLowerCase());
      ok.push(t);
    }
    if (ok.length <= 4) return ok;
    return [0, 1, 2, 3].map((i) => ok[Math.floor((i * ok.length) / 4)]);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = question.value.trim();
    if (!q) {
      say("Type a question first.");
      question.focus();
      return;
    }
    ask(q);
  });

  // ask asks q, streaming the answer's text as the server writes it, and
  // shows the answer with its citations. The question goes into the
  // address, so that the page can be shared or reloaded (/?q=...).
  async function ask(q) {
    takeKey();
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    if (!loadingBox.hidden) {
      pending = q;
      say("The index is loading; your question is asked as soon as it is ready.");
      return;
    }
    askButton.disabled = true;
    form.setAttribute("aria-busy", "true");
    say("Searching the documents…");
    try {
      const ans = await askInConversation(q, (text) => {
        if (!answer.classList.contains("streaming")) {
          showStreaming();
          say("Writing the answer…");
        }
        answer.append(unescapeMarkers(text));
      });
      unavailable = 0;
      retireLatest();
      latest = { id: ans.id, question: q, answer: ans };
      keepConversation(ans.conversation);
      render(ans);
      const n = ans.citations.length;
      const low = lowConfidence(ans);
      say(ans.grounded
        ? `Answered with ${plural(n, "citation")}${low ? `, with ${low.toLowerCase()}` : ""}.`
        : indexed === 0 ? "0 documents indexed: there is nothing to answer from." : "The documents do not answer this question.");
      if (indexed === null) loadOverview();
    } catch (err) {
      result.hidden = true;
      answer.classList.remove("streaming");
      // A loading index is waited for as long as it loads (the document
      // list says when it has); a server that keeps answering 503 after
      // that (over its connection caps) is tried a few times, then
      // reported.
      if (err.status === 503 && ++unavailable < 5) {
        pending = q;
        say("The index is loading; your question is asked as soon as it is ready.");
        waitForIndex(err);
      } else {
        unavailable = 0;
        sayError(err.message);
      }
    } finally {
      askButton.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  // askInConversation asks q in the page's conversation; one the server
  // no longer knows (a restart without a history, a pruned one) is
  // dropped, and q starts a new one.
  async function askInConversation(q, onToken) {
    try {
      return await askStream(q, conversation, onToken);
    } catch (err) {
      if (err.status !== 404 || !conversation) throw err;
      forgetConversation();
      return askStream(q, "", onToken);
    }
  }

  // askStream posts the question with "stream": true and reads the
  // server-sent events: "token"s of the answer's text as it is written,
  // then the checked "answer", or an "error".
  async function askStream(q, conv, onToken) {
    const body = { question: q, stream: true };
    if (conv) body.conversation = conv;
    const resp = await send("/v1/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!resp.ok) throw await failure(resp);
    if (!(resp.headers.get("Content-Type") || "").startsWith("text/event-stream")) return resp.json();
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the answer stopped before it was complete");
      buf += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let name = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).replace(/^ /, "");
        }
        const v = JSON.parse(data || "null");
        if (name === "token") onToken(v.text);
        else if (name === "answer") { reader.cancel(); return v; }
        else if (name === "error") { reader.cancel(); throw new APIError(v.error, 0); }
      }
    }
  }

  // showStreaming clears the answer for the text to come.
  function showStreaming() {
    retireLatest();
    asked.replaceChildren();
    feedbackBox.replaceChildren();
    answer.replaceChildren();
    answer.classList.add("streaming");
    answer.classList.remove("abstained");
    confidence.hidden = answerNote.hidden = abstainHelp.hidden = true;
    sources.hidden = list.hidden = true;
    result.setAttribute("aria-busy", "true");
    result.hidden = false;
    welcome.hidden = true;
    docSection.hidden = true;
  }

  // unescapeMarkers shows a document's own bracketed numbers, which the
  // answer escapes as \[2\] so that they never read as citations, as
  // written.
  const unescapeMarkers = (s) => s.replace(/\\([[\]])/g, "$1");

  // render shows an answer, its [n] markers turned into buttons that open
  // the cited passage, and the list of citations. A document's own
  // bracketed number, which the answer escapes as \[2\], is shown as
  // written and links nothing.
  function render(ans) {
    const byN = new Map(ans.citations.map((c) => [c.n, c]));
    answer.replaceChildren();
    answer.classList.remove("streaming");
    result.removeAttribute("aria-busy");
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
    const strong = document.createElement("strong");
    strong.textContent = latest ? latest.question : ans.question;
    asked.replaceChildren("You asked: ", strong);
    feedbackBox.replaceChildren(...(ans.id ? [feedback(ans.id)] : []));

    const low = lowConfidence(ans);
    confidence.classList.toggle("low", low !== "");
    confidence.textContent = !ans.grounded ? ""
      : low ? `${low} — check the sources before relying on it.`
      : `Confidence ${percent(ans.confidence)}`;
    confidence.hidden = !ans.grounded;
    answerNote.textContent = ans.note || "";
    answerNote.hidden = !ans.note;
    abstainHelp.hidden = ans.grounded;
    if (!ans.grounded && indexed === 0) {
      abstainHelp.textContent = "0 documents indexed: add documents before asking.";
    }

    list.replaceChildren(...ans.citations.map(citationItem));
    sources.hidden = list.hidden = ans.citations.length === 0;
    result.hidden = false;
    welcome.hidden = true;
    docSection.hidden = true;
  }

  // keepConversation remembers the conversation's id for the tab.
  function keepConversation(id) {
    if (!id) return;
    conversation = id;
    sessionStorage.setItem("citebot-conversation", id);
    newConversation.hidden = false;
  }

  // forgetConversation starts afresh: the next question opens a new
  // conversation.
  function forgetConversation() {
    conversation = "";
    latest = null;
    sessionStorage.removeItem("citebot-conversation");
    turnList.replaceChildren();
    convSection.hidden = true;
    newConversation.hidden = true;
  }

  // retireLatest moves the answer shown into the list of earlier turns,
  // when a new one takes its place.
  function retireLatest() {
    if (!latest) return;
    turnList.append(turnItem(latest));
    convSection.hidden = false;
    latest = null;
  }

  // turnItem is an earlier turn: the question, the answer's text (its
  // markers as plain text) and its votes.
  function turnItem(t) {
    const li = document.createElement("li");
    li.dataset.id = t.id;
    const q = document.createElement("p");
    q.className = "q";
    q.textContent = t.question;
    const a = document.createElement("p");
    a.className = "a" + (t.answer.grounded ? "" : " abstained");
    a.textContent = unescapeMarkers(t.answer.answer);
    li.append(q, a, feedback(t.id));
    return li;
  }

  newConversation.addEventListener("click", () => {
    forgetConversation();
    result.hidden = true;
    docSection.hidden = true;
    welcome.hidden = false;
    question.value = "";
    history.replaceState(null, "", location.pathname);
    say("Started a new conversation: the next question stands on its own.");
    question.focus();
  });

  // restoreConversation shows the tab's conversation after a reload: the
  // earlier turns, and the latest as the answer. It reports the latest
  // question, or "" when there is none to show.
  async function restoreConversation() {
    if (!conversation) return "";
    try {
      const body = await api("/v1/conversations/" + encodeURIComponent(conversation));
      const turns = body.turns;
      if (turns.length === 0) return "";
      for (const t of turns.slice(0, -1)) {
        latest = { id: t.id, question: t.question, answer: t.answer };
        retireLatest();
      }
      const last = turns[turns.length - 1];
      latest = { id: last.id, question: last.question, answer: last.answer };
      newConversation.hidden = false;
      render({ ...last.answer, id: last.id });
      return last.question;
    } catch (err) {
      if (err.status === 404) forgetConversation();
      return "";
    }
  }

  // feedback is the 👍/👎 under an answer. 👍 is sent at once; 👎 opens an
  // optional comment, sent with the vote. Either then thanks, and the
  // buttons keep showing the vote.
  let feedbackN = 0;
  function feedback(answerID) {
    const n = ++feedbackN;
    const box = document.createElement("div");
    box.className = "feedback";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Was this answer helpful?");
    // The emoji are decoration (a system without an emoji font shows a
    // box): the words name the buttons.
    const button = (vote, emoji, name) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "vote";
      b.dataset.vote = vote;
      const icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = emoji;
      b.append(icon, " " + name);
      b.setAttribute("aria-pressed", "false");
      return b;
    };
    const up = button("up", "👍", "Helpful"), down = button("down", "👎", "Not helpful");
    const form = document.createElement("form");
    form.className = "comment";
    form.hidden = true;
    const commentLabel = document.createElement("label");
    commentLabel.htmlFor = `comment-${n}`;
    commentLabel.textContent = "What was wrong with it? (optional)";
    const text = document.createElement("textarea");
    text.id = `comment-${n}`;
    text.rows = 3;
    text.maxLength = 2000;
    const row = document.createElement("div");
    row.className = "row";
    const sendButton = document.createElement("button");
    sendButton.type = "submit";
    sendButton.textContent = "Send";
    row.append(sendButton);
    form.append(commentLabel, text, row);
    const thanks = document.createElement("p");
    thanks.className = "thanks";
    thanks.setAttribute("role", "status");
    box.append(up, down, form, thanks);

    let sent = false;
    const press = (b) => {
      up.setAttribute("aria-pressed", String(b === up));
      down.setAttribute("aria-pressed", String(b === down));
    };
    async function vote(v, comment) {
      takeKey();
      sent = true;
      for (const b of [up, down]) b.setAttribute("aria-disabled", "true");
      sendButton.disabled = true;
      thanks.classList.remove("error");
      thanks.textContent = "Sending…";
      try {
        const resp = await send("/v1/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ answer: answerID, vote: v, comment }),
        });
        if (!resp.ok) throw await failure(resp);
        form.hidden = true;
        box.classList.add("sent");
        thanks.textContent = "Thanks for your feedback.";
      } catch (err) {
        sent = false;
        for (const b of [up, down]) b.removeAttribute("aria-disabled");
        sendButton.disabled = false;
        thanks.classList.add("error");
        thanks.textContent = "Your vote was not kept: " + err.message;
      }
    }
    up.addEventListener("click", () => {
      if (sent) return;
      press(up);
      form.hidden = true;
      vote("up", "");
    });
    down.addEventListener("click", () => {
      if (sent) return;
      press(down);
      form.hidden = false;
      thanks.textContent = "";
      text.focus();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!sent) vote("down", text.value.trim());
    });
    return box;
  }

  // citationItem is one numbered source: its title (which opens the
  // document), where it is, and the passage around the quote, the quote
  // marked.
  function citationItem(c) {
    const li = document.createElement("li");
    li.value = c.n;
    li.id = `citation-${c.n}`;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [c.source, c.section && `§ ${c.section}`, c.date].filter(Boolean).join(" · ");
    const quote = document.createElement("blockquote");
    const ex = excerpt(c.text, c.quote);
    quote.append(...passage(ex));
    li.append(citeButton(c, c.title || c.source, "source"), meta, quote);
    if (ex.cut) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "more";
      more.textContent = "Show the whole passage";
      more.setAttribute("aria-expanded", "false");
      more.addEventListener("click", () => {
        const whole = more.getAttribute("aria-expanded") !== "true";
        quote.replaceChildren(...passage(whole ? excerpt(c.text, c.quote, Infinity) : ex));
        more.setAttribute("aria-expanded", String(whole));
        more.textContent = whole ? "Show less" : "Show the whole passage";
      });
      li.append(more);
    }
    return li;
  }

  // passage turns an excerpt into nodes: text with the quote in a <mark>.
  function passage(ex) {
    const nodes = [];
    if (ex.before) nodes.push(ex.before);
    if (ex.quote) {
      const mark = document.createElement("mark");
      mark.textContent = ex.quote;
      nodes.push(mark);
    }
    if (ex.after) nodes.push(ex.after);
    return nodes;
  }

  // excerpt keeps the quote of a passage and up to about around characters
  // of it on each side, cut where a sentence starts or ends if one does
  // there, else at a space, and marked "…" where cut. Without a quote in
  // the text (a generated answer cites whole passages) it keeps the
  // passage's start.
  function excerpt(text, quote, around = 160) {
    let at = quote ? text.indexOf(quote) : -1;
    if (at < 0) {
      at = 0;
      quote = "";
    }
    const end = at + quote.length, after = quote ? around : 2 * around;
    const from = at > around ? cutAfter(text, at - around, at) : 0;
    const to = text.length - end > after ? cutBefore(text, end, end + after) : text.length;
    return {
      before: (from > 0 ? "…" : "") + text.slice(from, at),
      quote: text.slice(at, end),
      after: text.slice(end, to) + (to < text.length ? "…" : ""),
      cut: from > 0 || to < text.length,
    };
  }

  // cutAfter is where text[i:limit] first starts a sentence, or else a
  // word; cutBefore is where text[limit:i] last ends a sentence, or else a
  // word.
  function cutAfter(text, i, limit) {
    const part = text.slice(i, limit);
    const m = /[.!?]["”’)]?\s+(?=\S)|\n\s*/.exec(part);
    if (m && m.index + m[0].length < part.length) return i + m.index + m[0].length;
    const sp = part.search(/\s/);
    return sp < 0 ? i : i + sp + 1;
  }
  function cutBefore(text, limit, i) {
    const part = text.slice(limit, i);
    const ends = [...part.matchAll(/[.!?]["”’)]?(?=\s)/g)].map((m) => m.index + m[0].length).filter((e) => e > 0);
    if (ends.length > 0) return limit + ends[ends.length - 1];
    const sp = part.search(/\s\S*$/);
    return sp <= 0 ? i : limit + sp;
  }

  // lowConfidence says "Low confidence (38%)" for a grounded answer that is
  // less likely right than not (rag.Answer.LowConfidence), and "" otherwise.
  function lowConfidence(ans) {
    const c = Number(ans.confidence);
    if (!ans.grounded || !(c < 0.5)) return "";
    return `Low confidence (${percent(c)})`;
  }

  // percent is a confidence as a whole percentage, rounded down as the CLI
  // and the Discord bot round it, so that a low one never reads 50%.
  const percent = (c) => `${Math.floor(100 * Math.min(1, Math.max(0, Number(c) || 0)) + 1e-9)}%`;

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

  // showPassage opens the citation's document and highlights the passage,
  // and in it the quote. A citation's text is verbatim from one kept span
  // of its document, so it is found in the document's cleaned text as is.
  async function showPassage(c, from) {
    say(`Opening ${c.title || c.source}…`);
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
        const q = c.quote ? c.text.indexOf(c.quote) : -1;
        if (q < 0) {
          mark.textContent = c.text;
        } else {
          const strong = document.createElement("strong");
          strong.className = "quote";
          strong.textContent = c.quote;
          mark.append(c.text.slice(0, q), strong, c.text.slice(q + c.quote.length));
        }
        docText.append(doc.text.slice(0, at), mark, doc.text.slice(at + c.text.length));
      }
      docSection.hidden = false;
      opener = from;
      const target = mark || docTitle;
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
      say(mark
        ? `Showing citation [${c.n}] highlighted in ${doc.title || doc.source}. Escape closes it.`
        : `Showing ${doc.title || doc.source}; the passage was not found in it.`);
    } catch (err) {
      sayError(err.message);
    }
  }

  function closeDocument() {
    docSection.hidden = true;
    if (opener) opener.focus();
  }
  $("doc-close").addEventListener("click", closeDocument);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !docSection.hidden) {
      event.preventDefault();
      closeDocument();
    }
  });

  // The documents panel: the indexed documents, and where the server takes
  // writes from this client, upload (drop or choose files) and delete.
  const docsToggle = $("docs-toggle"), docsPanel = $("documents"), docsStatus = $("docs-status");
  const docsTable = $("docs-table"), docsList = $("docs-list"), actHead = docsTable.querySelector("th.act");
  const uploadBox = $("upload"), drop = $("drop"), fileInput = $("file-input"), uploads = $("uploads");
  let writable = false;

  docsToggle.addEventListener("click", () => showDocuments(docsPanel.hidden));

  // showDocuments opens or closes the panel.
  function showDocuments(open) {
    docsPanel.hidden = !open;
    docsToggle.setAttribute("aria-expanded", String(open));
    if (open) loadDocuments();
  }

  // The "browse the documents" links open the panel and move to it.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.browse");
    if (!link) return;
    event.preventDefault();
    showDocuments(true);
    docsPanel.scrollIntoView({ block: "start" });
    docsToggle.focus({ preventScroll: true });
  });

  // loadDocuments lists the indexed documents; it is called when the panel
  // opens and after every write.
  async function loadDocuments() {
    takeKey();
    docsPanel.setAttribute("aria-busy", "true");
    try {
      const body = await api("/v1/documents");
      showOverview(body);
      writable = body.writable === true;
      uploadBox.hidden = actHead.hidden = !writable;
      docsList.replaceChildren(...body.documents.map(documentRow));
      docsTable.hidden = body.documents.length === 0;
      const n = body.documents.length;
      docsStatus.textContent = `${plural(n, "document")} indexed.`;
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

  // openDocument shows a document named by a /?doc=SOURCE link (the
  // operators' view links citations so).
  async function openDocument(source) {
    say(`Opening ${source}…`);
    try {
      const path = source.split("/").map(encodeURIComponent).join("/");
      const doc = await api("/v1/documents/" + path);
      docTitle.textContent = doc.title || doc.source;
      docMeta.textContent = [doc.source, doc.date].filter(Boolean).join(" · ");
      docText.replaceChildren(doc.text);
      docSection.hidden = false;
      opener = question;
      docTitle.focus();
      say(`Showing ${doc.title || doc.source}. Escape closes it.`);
    } catch (err) {
      sayError(err.message);
    }
  }

  // On load: the question box has focus; the tab's conversation comes
  // back; a /?q=... link is asked at once (or as soon as the index has
  // loaded) unless it is the conversation's latest question (a reload); a
  // /?doc=... link opens the document; the empty state is filled in.
  question.focus();
  const params = new URLSearchParams(location.search);
  const linked = (params.get("q") || "").trim();
  const linkedDoc = params.get("doc") || "";
  (async () => {
    const shown = await restoreConversation();
    if (linked) {
      question.value = linked;
      if (linked !== shown) ask(linked);
    }
    if (linkedDoc) openDocument(linkedDoc);
  })();
  loadOverview();
})();
