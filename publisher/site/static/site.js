/* publisher site: the shared clip player, seeking, chapter tracking, copy buttons and
   Pagefind search. No dependencies (Pagefind's own runtime is loaded on the first search). */
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

  // --- clip cards: one play button each, one shared player ---------------------

  const playButtons = [...document.querySelectorAll("[data-play]")];
  let dock = null;

  /** The page's one clip player, docked at the bottom, made on first use. */
  function clipPlayer() {
    if (dock) return dock.querySelector("audio");
    dock = document.createElement("section");
    dock.className = "dock";
    dock.setAttribute("aria-label", "Clip player");
    const title = document.createElement("p");
    title.className = "dock-title";
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.id = "clip-player";
    audio.setAttribute("aria-label", "Clip player");
    dock.append(title, audio);
    document.body.append(dock);
    document.body.classList.add("has-dock");
    const sync = () => syncButtons(audio);
    audio.addEventListener("play", sync);
    audio.addEventListener("pause", sync);
    audio.addEventListener("ended", sync);
    return audio;
  }

  /** Each play button pressed only while the player plays its clip. */
  function syncButtons(audio) {
    for (const b of playButtons) {
      const on = b.dataset.src === audio.dataset.src && !audio.paused;
      b.setAttribute("aria-pressed", String(on));
      b.setAttribute("aria-label", `${on ? "Pause" : "Play"}: ${b.dataset.title}`);
    }
  }

  for (const button of playButtons) {
    button.dataset.src = new URL(button.dataset.play, location.href).href;
    button.hidden = false;
    button.addEventListener("click", () => {
      const audio = clipPlayer();
      if (audio.dataset.src === button.dataset.src) {
        if (audio.paused) audio.play().catch(() => {});
        else audio.pause();
        return;
      }
      audio.dataset.src = button.dataset.src;
      audio.src = button.dataset.src;
      dock.querySelector(".dock-title").textContent = button.dataset.title;
      audio.play().catch(() => {});
      syncButtons(audio); // the clip it played is released now, not at the next "play" event
    });
  }

  // --- copy buttons ----------------------------------------------------------

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const area = document.createElement("textarea"); // not a secure context
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
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
      await copyText(document.getElementById(button.dataset.copy).textContent.trim());
      announce.textContent = `Copied the ${button.dataset.name} feed address.`;
      const label = button.textContent;
      button.textContent = "Copied";
      button.dataset.copied = "";
      setTimeout(() => {
        button.textContent = label;
        delete button.dataset.copied;
      }, 1800);
    });
  }

  // --- search: Pagefind, loaded on the first query ------------------------------

  const search = document.getElementById("search");
  if (!search || !/^https?:$/.test(location.protocol)) return; // Pagefind fetches: not from disk
  const box = document.getElementById("q");
  const status = document.getElementById("search-status");
  const list = document.getElementById("results");
  const more = document.getElementById("more-results");
  const PAGE = 10; // results shown at a time: each one fetches its fragment
  const runtime = new URL(search.dataset.pagefind, location.href);
  const root = new URL("../", runtime); // the site root: records' `url` meta is relative to it
  let pagefind = null;
  let found = [];
  let shown = 0;
  let asked = "";

  async function load() {
    if (!pagefind) pagefind = await import(runtime.href);
    return pagefind;
  }

  /** Pagefind's excerpt (text with <mark>s) as nodes, nothing else kept. */
  function excerpt(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const p = document.createElement("p");
    p.className = "result-excerpt";
    for (const node of tpl.content.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else p.append(node.textContent);
    }
    return p;
  }

  async function showMore() {
    const query = asked;
    const batch = found.slice(shown, shown + PAGE);
    shown += batch.length;
    const datas = await Promise.all(batch.map((r) => r.data()));
    if (asked !== query) return; // a newer query has cleared the list meanwhile
    for (const data of datas) {
      const li = document.createElement("li");
      li.className = "result";
      const context = document.createElement("p");
      context.className = "eyebrow";
      context.textContent = data.meta.context || "";
      const link = document.createElement("a");
      link.className = "result-title";
      link.href = new URL(data.meta.url, root).href; // the record's site URL, with its anchor
      link.textContent = data.meta.title;
      li.append(context, link, excerpt(data.excerpt));
      list.append(li);
    }
    more.hidden = shown >= found.length;
  }

  async function run(query) {
    asked = query;
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      return;
    }
    let result;
    try {
      result = await (await load()).search(query);
    } catch (e) {
      status.textContent = "Search could not load its index.";
      return;
    }
    if (asked !== query) return; // a newer query is on its way
    found = result.results;
    shown = 0;
    list.textContent = "";
    await showMore();
    if (asked !== query) return;
    const n = found.length;
    status.textContent = n
      ? `${n} ${n === 1 ? "result" : "results"} for “${query}”.`
      : `Nothing matches “${query}”. Try fewer or different words.`;
  }

  search.hidden = false;
  let timer = 0;
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(box.value.trim()), 150);
  });
  search.querySelector("form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(box.value.trim());
  });
  more.addEventListener("click", showMore);
  box.value = new URL(location.href).searchParams.get("q") || "";
  if (box.value) run(box.value.trim());
})();
