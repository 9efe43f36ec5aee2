// The vertical player: one video per screen, the visible one plays, the next two preload,
// more slides load before the end. Everything else on the page works without this file.

import { doubleTapLike } from "./actions.js";
import { watch } from "./live.js";
import { trackSlide } from "./watch.js";

const feed = document.getElementById("feed");
const DOUBLE_TAP_MS = 300;
const muteButton = document.querySelector(".mute-toggle");
const SOUND_KEY = "repeater:sound-on";
let soundOn = sessionStorage.getItem(SOUND_KEY) === "1";
let active = null;
let loading = false;
let nextUrl = feed ? feed.dataset.next : "";

function slides() {
  return Array.from(feed.querySelectorAll(".slide"));
}

function videoOf(slide) {
  return slide.querySelector("video.player");
}

function setupSlide(slide) {
  const video = videoOf(slide);
  if (!video || video.dataset.ready) return;
  video.dataset.ready = "1";
  video.controls = false; // our own controls: tap, keys, rail
  video.muted = !soundOn;
  const bar = slide.querySelector(".progress span");
  video.addEventListener("timeupdate", () => {
    if (bar && video.duration) bar.style.width = `${(100 * video.currentTime) / video.duration}%`;
  });
  video.addEventListener("play", () => slide.classList.remove("is-paused"));
  video.addEventListener("pause", () => {
    if (slide === active) slide.classList.add("is-paused");
  });
  // One tap pauses or plays; a second tap within DOUBLE_TAP_MS likes instead.
  let tapTimer = null;
  slide.querySelector(".tap-layer")?.addEventListener("click", (event) => {
    if (!soundOn) {
      enableSound(); // the first tap turns the sound on and keeps playing
      return;
    }
    if (tapTimer) {
      clearTimeout(tapTimer);
      tapTimer = null;
      doubleTapLike(slide, event);
      return;
    }
    tapTimer = setTimeout(() => {
      tapTimer = null;
      togglePlay(video);
    }, DOUBLE_TAP_MS);
  });
  observer.observe(slide);
}

function togglePlay(video) {
  if (video.paused) video.play().catch(() => {});
  else video.pause();
}

function enableSound() {
  if (soundOn) return;
  soundOn = true;
  sessionStorage.setItem(SOUND_KEY, "1");
  applySound();
}

function applySound() {
  for (const slide of slides()) {
    const video = videoOf(slide);
    if (video) video.muted = !soundOn;
  }
  if (muteButton) {
    muteButton.setAttribute("aria-pressed", String(!soundOn));
    muteButton.setAttribute("aria-label", soundOn ? muteButton.dataset.labelOn : muteButton.dataset.labelOff);
  }
}

function activate(slide) {
  if (slide === active) return;
  const all = slides();
  const index = all.indexOf(slide);
  active = slide;
  all.forEach((other, i) => {
    const video = videoOf(other);
    if (!video) return;
    if (other !== slide) {
      video.pause();
      other.classList.remove("is-paused");
    }
    // Preload the next two (the browser fetches metadata and the first seconds);
    // everything further away stays idle.
    if (i === index + 1 || i === index + 2) video.preload = "auto";
    else if (i !== index) video.preload = i < index ? "metadata" : "none";
  });
  const video = videoOf(slide);
  if (video) {
    video.preload = "auto";
    video.muted = !soundOn;
    video.currentTime = 0;
    const playing = video.play();
    if (playing) {
      playing.catch(() => {
        // Autoplay with sound was refused: fall back to muted, as the apps do.
        video.muted = true;
        video.play().catch(() => slide.classList.add("is-paused"));
      });
    }
  }
  watch([slide.dataset.video]);
  feed.dispatchEvent(new CustomEvent("slide:active", { detail: { slide, index } }));
  if (all.length - index <= 3) loadMore();
}

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) activate(entry.target);
    }
  },
  { root: feed, threshold: [0.6] },
);

async function loadMore() {
  if (loading || !nextUrl) return;
  loading = true;
  try {
    const url = new URL(nextUrl, location.href);
    url.searchParams.set("fragment", "1");
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const seen = new Set(slides().map((s) => s.dataset.video));
    const more = feed.querySelector(".more-link");
    for (const slide of doc.querySelectorAll(".slide")) {
      if (seen.has(slide.dataset.video)) continue; // never show one video twice
      const node = document.importNode(slide, true);
      feed.insertBefore(node, more);
      setupSlide(node);
    }
    nextUrl = doc.querySelector(".feed-next")?.dataset.next || "";
    if (more) {
      if (nextUrl) more.href = nextUrl;
      else more.remove();
    }
  } catch (error) {
    console.warn("could not load more videos", error);
  } finally {
    loading = false;
  }
}

function move(step) {
  const all = slides();
  const index = Math.max(0, all.indexOf(active));
  const target = all[Math.min(all.length - 1, Math.max(0, index + step))];
  if (target) target.scrollIntoView({ behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
}

function onKey(event) {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  const tag = (event.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
  const video = active && videoOf(active);
  switch (event.key) {
    case "ArrowDown":
    case "j":
      move(1);
      break;
    case "ArrowUp":
    case "k":
      move(-1);
      break;
    case " ":
      if (tag === "button" || tag === "a") return;
      enableSound();
      if (video) togglePlay(video);
      break;
    case "m":
      soundOn = !soundOn;
      sessionStorage.setItem(SOUND_KEY, soundOn ? "1" : "0");
      applySound();
      break;
    case "l":
      active?.querySelector('[data-action="like"]')?.click();
      break;
    case "c":
      active?.querySelector('[data-action="comments"]')?.click();
      break;
    default:
      return;
  }
  event.preventDefault();
}

if (feed) {
  feed.addEventListener("slide:active", (event) => trackSlide(event.detail.slide));
  slides().forEach(setupSlide);
  applySound();
  document.addEventListener("keydown", onKey);
  document.addEventListener("pointerdown", (event) => {
    if (!event.target.closest(".mute-toggle")) enableSound();
  }, { once: true });
  muteButton?.addEventListener("click", () => {
    soundOn = !soundOn;
    sessionStorage.setItem(SOUND_KEY, soundOn ? "1" : "0");
    applySound();
  });
  for (const button of document.querySelectorAll(".feed-nav [data-move]")) {
    button.addEventListener("click", () => move(Number(button.dataset.move)));
  }
  document.addEventListener("visibilitychange", () => {
    const video = active && videoOf(active);
    if (!video) return;
    if (document.hidden) video.pause();
    else video.play().catch(() => {});
  });
}

export { activate, loadMore };
