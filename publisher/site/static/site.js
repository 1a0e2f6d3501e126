/* publisher site: seeking, chapter tracking, copy buttons and search. No dependencies. */
"use strict";

(function () {
  // --- players ---------------------------------------------------------------

  /** Seek `audio` to `t` seconds and play, waiting for metadata if needed. */
  function seek(audio, t) {
    const go = () => {
      audio.currentTime = t;
      const playing = audio.play();
      if (playing) playing.catch(() => {}); // autoplay refused: the seek still stands
    };
    if (audio.readyState >= 1) go();
    else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.load();
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-seek]");
    const player = document.getElementById("player");
    if (!button || !player) return;
    seek(player, parseFloat(button.dataset.seek));
  });

  // Only one player at a time.
  document.addEventListener(
    "play",
    (event) => {
      for (const audio of document.querySelectorAll("audio")) {
        if (audio !== event.target) audio.pause();
      }
    },
    true
  );

  // Mark the chapter and transcript paragraph being played.
  const player = document.getElementById("player");
  if (player) {
    const chapters = [...document.querySelectorAll(".chapter")];
    const paras = [...document.querySelectorAll(".transcript-para")];
    const now = document.getElementById("now-chapter");
    const current = (items, t) => {
      let found = null;
      for (const el of items) {
        if (parseFloat(el.dataset.start) <= t + 0.25) found = el;
        else break;
      }
      return found;
    };
    let lastChapter = null;
    let lastPara = null;
    player.addEventListener("timeupdate", () => {
      const t = player.currentTime;
      const chapter = current(chapters, t);
      if (chapter !== lastChapter) {
        if (lastChapter) lastChapter.removeAttribute("aria-current");
        if (chapter) {
          chapter.setAttribute("aria-current", "true");
          now.textContent = "";
          const label = document.createElement("strong");
          label.textContent = chapter.querySelector(".chapter-title").textContent;
          now.append("Now playing: ", label);
        }
        lastChapter = chapter;
      }
      const para = current(paras, t);
      if (para !== lastPara) {
        if (lastPara) lastPara.classList.remove("is-current");
        if (para) para.classList.add("is-current");
        lastPara = para;
      }
    });
  }

  // --- copy buttons ----------------------------------------------------------

  async function copyText(input) {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (e) {
      input.select(); // not a secure context: fall back to the selection
      document.execCommand("copy");
    }
  }

  const copyButtons = document.querySelectorAll("[data-copy]");
  let announce = null;
  if (copyButtons.length) {
    announce = document.createElement("p");
    announce.id = "copy-status";
    announce.className = "visually-hidden";
    announce.setAttribute("role", "status");
    document.body.append(announce);
  }
  for (const button of copyButtons) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      await copyText(input);
      const name = input.labels.length ? input.labels[0].textContent.replace(/ feed address$/, "") : "";
      announce.textContent = `Copied the ${name} feed address.`;
      const label = button.textContent;
      button.textContent = "Copied";
      button.dataset.copied = "";
      setTimeout(() => {
        button.textContent = label;
        delete button.dataset.copied;
      }, 1800);
    });
  }
  for (const input of document.querySelectorAll(".copy-input")) {
    input.addEventListener("focus", () => input.select());
  }

  // --- search ----------------------------------------------------------------

  const search = document.getElementById("search");
  if (!search) return;
  const box = document.getElementById("q");
  const status = document.getElementById("search-status");
  const empty = document.getElementById("no-results");
  const cards = [...document.querySelectorAll(".talk-card")];
  const years = [...document.querySelectorAll(".year")];
  const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  let items = new Map();

  /** Snippet of `text` around the first query word, with the words marked. */
  function snippet(el, text, words) {
    const folded = fold(text);
    const at = Math.min(...words.map((w) => folded.indexOf(w)).filter((i) => i >= 0));
    el.textContent = "";
    if (!isFinite(at)) return false;
    const start = Math.max(0, folded.lastIndexOf(" ", Math.max(0, at - 60)) + 1);
    const end = Math.min(text.length, at + 100);
    const part = text.slice(start, end);
    const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
    let last = 0;
    el.append(start > 0 ? "…" : "");
    for (const m of fold(part).matchAll(pattern)) {
      el.append(part.slice(last, m.index));
      const mark = document.createElement("mark");
      mark.textContent = part.slice(m.index, m.index + m[0].length);
      el.append(mark);
      last = m.index + m[0].length;
    }
    el.append(part.slice(last) + (end < text.length ? "…" : ""));
    return true;
  }

  function apply() {
    const query = fold(box.value.trim());
    const words = query.split(/\s+/).filter(Boolean);
    const matches = (id) => {
      const item = items.get(id);
      return item ? words.every((w) => item.haystack.includes(w)) : words.length === 0;
    };
    let talks = 0;
    let questions = 0;
    for (const card of cards) {
      let shown = 0;
      for (const li of card.querySelectorAll(".question-item")) {
        const hit = matches(li.dataset.id);
        li.hidden = !hit;
        const snip = li.querySelector(".snippet");
        const item = items.get(li.dataset.id);
        const inTitle = item && words.every((w) => item.head.includes(w));
        snip.hidden = !(hit && words.length && !inTitle && snippet(snip, item.text, words));
        shown += hit;
      }
      const visible = shown > 0 || matches(card.dataset.id);
      card.hidden = !visible;
      talks += visible;
      questions += shown;
    }
    for (const year of years) year.hidden = !year.querySelector(".talk-card:not([hidden])");
    empty.hidden = talks > 0;
    status.textContent = words.length
      ? `${questions} ${questions === 1 ? "question" : "questions"} in ${talks} ${talks === 1 ? "talk" : "talks"} match “${box.value.trim()}”.`
      : "";
    const url = new URL(location.href);
    if (words.length) url.searchParams.set("q", box.value.trim());
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  }

  fetch(search.dataset.index)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))))
    .then((index) => {
      for (const it of index.items) {
        const head = fold([it.title, it.topic, it.talk, ...it.speakers].join(" "));
        items.set(it.id, { text: it.text, head, haystack: head + " " + fold(it.text) });
      }
      search.hidden = false;
      box.value = new URL(location.href).searchParams.get("q") || "";
      let timer = 0;
      box.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(apply, 80);
      });
      search.querySelector("form").addEventListener("submit", (e) => {
        e.preventDefault();
        apply();
      });
      if (box.value) apply();
    })
    .catch(() => {
      items = new Map(); // opened from disk without a server: browse only
    });
})();
