// One WebSocket per page at /ws/live/. Subscribes to the visible video as the viewer swipes,
// applies pushed counts and comments, keeps the bell's unread count current, and reconnects
// with exponential backoff, resyncing counts over HTTP when it comes back.

const listeners = new Set();
let socket = null;
let wanted = new Set(); // videos this page wants to hear about
let attempt = 0;
let everConnected = false;

export function onLiveMessage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

export function watch(publicIds) {
  const next = new Set(publicIds.filter(Boolean));
  const drop = [...wanted].filter((id) => !next.has(id));
  const add = [...next].filter((id) => !wanted.has(id));
  wanted = next;
  if (drop.length) send({ unsubscribe: drop });
  if (add.length) send({ subscribe: add });
}

function dispatch(message) {
  for (const fn of listeners) {
    try {
      fn(message);
    } catch (error) {
      console.error(error);
    }
  }
}

async function resyncOverHttp() {
  // The socket may have missed events while it was down: ask the API for the truth.
  for (const id of wanted) {
    try {
      const response = await fetch(`/api/v1/videos/${encodeURIComponent(id)}/`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) continue;
      const v = await response.json();
      dispatch({ type: "video.stats", video: id, likes: v.likes, comments: v.comments, views: v.views, shares: v.shares });
    } catch (_) {
      /* next reconnect will try again */
    }
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/live/`);
  socket.addEventListener("open", () => {
    if (everConnected) resyncOverHttp();
    everConnected = true;
    attempt = 0;
    document.documentElement.dataset.live = "open";
    if (wanted.size) send({ subscribe: [...wanted].slice(0, 10) });
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (_) {
      return;
    }
    dispatch(message);
  });
  socket.addEventListener("close", () => {
    document.documentElement.dataset.live = "closed";
    attempt += 1;
    const delay = Math.min(30000, 500 * 2 ** Math.min(attempt, 6)) * (0.75 + Math.random() / 2);
    setTimeout(connect, delay);
  });
}

function formatCount(n) {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(n < 1e10 ? 1 : 0)}B`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}K`;
  return String(n);
}
export { formatCount };

// Counts on every slide of this video, and the bell.
onLiveMessage((message) => {
  if (message.type === "video.stats") {
    for (const slide of document.querySelectorAll(`[data-video="${CSS.escape(message.video)}"]`)) {
      for (const key of ["likes", "comments", "shares"]) {
        const node = slide.querySelector(`[data-count="${key}"]`);
        if (node && typeof message[key] === "number") {
          node.textContent = formatCount(message[key]);
          node.dataset.value = String(message[key]);
        }
      }
    }
  } else if (message.type === "unread" || message.type === "notification") {
    const count = message.type === "unread" ? message.count : message.unread;
    for (const badge of document.querySelectorAll("[data-unread]")) {
      badge.dataset.unread = String(count);
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count === 0;
    }
  }
});

if ("WebSocket" in window) connect();
