// Watch signals for the For You recommender. For each slide the viewer lands on (player.js
// calls trackSlide on every `slide:active`): the seconds it really played, whether it was
// finished (at least 90 %), how often it looped, and quick skips (the server derives those
// from the seconds). Events are batched and sent with navigator.sendBeacon when the page is
// hidden or left, and every BATCH events. Each event has an id, so a resent batch counts once.
// Also: the "Not interested" and "Hide videos from @…" buttons of "Why am I seeing this?".

import { api } from "./actions.js";

const BATCH = 10;
const MAX_PER_REQUEST = 50;
const ENDPOINT = "/api/v1/views/batch/";
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
const feed = document.getElementById("feed");
const source = feed?.dataset.source || "for_you";
const queue = [];
let current = null;

function eventId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function listen(video) {
  if (video.dataset.tracked) return;
  video.dataset.tracked = "1";
  video.addEventListener("timeupdate", () => {
    const r = current;
    if (!r || r.video !== video) return;
    const now = video.currentTime;
    const length = video.duration || 0;
    const step = now - r.last;
    if (step > 0 && step < 1.5) {
      r.seconds += step; // played, not seeked
    } else if (length && step < -0.5 * length) {
      r.replays += 1; // looped back to the start
      r.seconds += Math.max(0, length - r.last) + now;
      r.finished = true;
    }
    r.last = now;
    if (length && now >= 0.9 * length) r.finished = true;
  });
}

function finish() {
  const r = current;
  current = null;
  if (!r) return;
  queue.push({
    video: r.id,
    watch_seconds: Math.round(r.seconds * 100) / 100,
    completed: r.finished,
    replays: Math.min(r.replays, 100),
    source,
    event_id: r.eventId,
  });
  if (queue.length >= BATCH) flush();
}

export function flush() {
  while (queue.length) {
    const events = queue.splice(0, MAX_PER_REQUEST);
    const body = JSON.stringify({ csrf, events });
    // A string body goes out as text/plain: no preflight, and the CSRF token rides inside.
    const sent = navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, body);
    if (!sent) {
      fetch(ENDPOINT, {
        method: "POST",
        body,
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      }).catch(() => {});
    }
  }
}

export function trackSlide(slide) {
  if (current && current.slide === slide) return;
  finish();
  const video = slide?.querySelector("video.player");
  if (!video || !slide.dataset.video) return;
  listen(video);
  current = { slide, video, id: slide.dataset.video, eventId: eventId(), seconds: 0, last: 0, replays: 0, finished: false };
}

let lastActive = null;
if (feed) {
  feed.addEventListener("slide:active", (event) => {
    lastActive = event.detail.slide;
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      finish();
      flush();
    } else if (lastActive) {
      trackSlide(lastActive); // back on the page: a new viewing of the same slide
    }
  });
  window.addEventListener("pagehide", () => {
    finish();
    flush();
  });
}

// --- "Not interested" and "Hide videos from @…" ------------------------------------------------
function toast(text) {
  const node = document.querySelector(".toast");
  if (!node || !text) return;
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.hidden = true), 2600);
}

function nextSlide(slide) {
  let next = slide.nextElementSibling;
  while (next && !next.classList.contains("slide")) next = next.nextElementSibling;
  return next;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest('.slide [data-action="not-interested"], .slide [data-action="hide-creator"]');
  if (!button) return;
  event.preventDefault();
  if (!document.body.dataset.user) {
    const login = document.body.dataset.loginUrl || "/accounts/login/";
    location.href = `${login}?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  const slide = button.closest(".slide");
  button.disabled = true;
  try {
    if (button.dataset.action === "not-interested") {
      await api("POST", `videos/${encodeURIComponent(slide.dataset.video)}/not-interested/`);
    } else {
      const author = slide.dataset.author;
      await api("POST", `users/${encodeURIComponent(author)}/hide/`);
      // Later slides by this creator go now; the feed leaves them out from the next page on.
      let next = nextSlide(slide);
      while (next) {
        const after = nextSlide(next);
        if (next.dataset.author === author) next.remove();
        next = after;
      }
    }
    toast(button.dataset.done);
    const details = button.closest("details");
    if (details) details.open = false;
    const next = nextSlide(slide);
    if (next) {
      const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
      next.scrollIntoView({ behavior: reduce ? "auto" : "smooth" });
    }
  } catch (error) {
    button.disabled = false;
    toast(error.message);
  }
});
