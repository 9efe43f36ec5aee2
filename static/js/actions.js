// The action rail and the comments drawer: like (button, double-tap, "l"), follow, share,
// comments with replies, likes and deletion. Talks to the public API with the session
// cookie and CSRF token; live updates arrive through live.js.

import { formatCount, onLiveMessage } from "./live.js";

const body = document.body;
const me = body.dataset.user || "";
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
const loginUrl = body.dataset.loginUrl || "/accounts/login/";
const drawer = document.getElementById("comments-drawer");
const strings = document.getElementById("ui-strings")?.dataset || {};

export async function api(method, path, data) {
  const options = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrf },
  };
  if (data !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(data);
  }
  const response = await fetch(`/api/v1/${path}`, options);
  let payload = null;
  if (response.status !== 204) {
    try {
      payload = await response.json();
    } catch (_) {
      payload = null;
    }
  }
  if (!response.ok) {
    const error = new Error(payload?.error?.message || `HTTP ${response.status}`);
    error.status = response.status;
    error.payload = payload;
    throw error;
  }
  return payload;
}

function requireLogin() {
  if (me) return true;
  location.href = `${loginUrl}?next=${encodeURIComponent(location.pathname)}`;
  return false;
}

function setCount(scope, key, value) {
  const node = scope.querySelector(`[data-count="${key}"]`);
  if (node) {
    node.textContent = formatCount(value);
    node.dataset.value = String(value);
  }
}

function toast(text) {
  const node = document.querySelector(".toast");
  if (!node || !text) return;
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.hidden = true), 2200);
}

// --- likes ---------------------------------------------------------------------------------
async function toggleLike(slide, { forceOn = false } = {}) {
  if (!requireLogin()) return;
  const button = slide.querySelector('[data-action="like"]');
  const liked = button.getAttribute("aria-pressed") === "true";
  if (forceOn && liked) return;
  const id = slide.dataset.video;
  // Optimistic: the viewer sees the change at once; the server's answer is the truth.
  button.setAttribute("aria-pressed", String(!liked));
  const countNode = slide.querySelector('[data-count="likes"]');
  const before = Number(countNode?.dataset.value ?? 0);
  setCount(slide, "likes", Math.max(0, before + (liked ? -1 : 1)));
  try {
    const result = await api(liked ? "DELETE" : "POST", `videos/${encodeURIComponent(id)}/like/`);
    button.setAttribute("aria-pressed", String(result.liked));
    setCount(slide, "likes", result.likes);
  } catch (error) {
    button.setAttribute("aria-pressed", String(liked));
    setCount(slide, "likes", before);
    toast(error.message);
  }
}

function heartBurst(slide, x, y) {
  const heart = document.createElement("span");
  heart.className = "heart-burst";
  heart.setAttribute("aria-hidden", "true");
  const rect = slide.getBoundingClientRect();
  heart.style.left = `${(x ?? rect.width / 2) - 40}px`;
  heart.style.top = `${(y ?? rect.height / 2) - 40}px`;
  heart.innerHTML = '<svg viewBox="0 0 24 24"><path fill="currentColor" d="M12 21.4 10.6 20C5.4 15.4 2 12.3 2 8.5 2 5.4 4.4 3 7.5 3c1.7 0 3.4.8 4.5 2.1C13.1 3.8 14.8 3 16.5 3 19.6 3 22 5.4 22 8.5c0 3.8-3.4 6.9-8.6 11.5z"/></svg>';
  slide.append(heart);
  setTimeout(() => heart.remove(), 900);
}

export function doubleTapLike(slide, event) {
  const rect = slide.getBoundingClientRect();
  heartBurst(slide, event.clientX - rect.left, event.clientY - rect.top);
  toggleLike(slide, { forceOn: true });
}

// --- follow --------------------------------------------------------------------------------
async function follow(slide, button) {
  if (!requireLogin()) return;
  const username = slide.dataset.author;
  try {
    const result = await api("POST", `users/${encodeURIComponent(username)}/follow/`);
    for (const other of document.querySelectorAll(`.slide[data-author="${CSS.escape(username)}"]`)) {
      other.dataset.following = result.status === "requested" ? "requested" : "1";
    }
    toast(result.status === "requested" ? strings.requested : strings.following);
  } catch (error) {
    toast(error.message);
  }
  button.blur();
}

// --- share ---------------------------------------------------------------------------------
async function share(slide, button) {
  const url = new URL(button.dataset.url, location.href).href;
  let channel = "link";
  try {
    if (navigator.share) {
      await navigator.share({ url });
      channel = "native";
    } else {
      await navigator.clipboard.writeText(url);
      toast(strings.copied);
    }
  } catch (_) {
    return; // closed the share sheet: nothing was shared
  }
  try {
    const result = await api("POST", `videos/${encodeURIComponent(slide.dataset.video)}/share/`, { channel });
    setCount(slide, "shares", result.shares);
  } catch (_) {
    /* counting a share is best effort */
  }
}

// --- comments drawer -------------------------------------------------------------------------
let openVideo = null;
let replyTo = null;

function commentNode(c, ownerOfVideo) {
  const item = document.createElement("li");
  item.className = "comment";
  item.dataset.comment = c.id;
  const author = document.createElement("a");
  author.className = "comment-author";
  author.href = `/@${encodeURIComponent(c.author.username ?? c.author)}/`;
  author.textContent = `@${c.author.username ?? c.author}`;
  const text = document.createElement("p");
  text.className = "comment-text";
  text.textContent = c.text; // never innerHTML: comments are user text
  const actions = document.createElement("div");
  actions.className = "comment-actions";
  const held = c.status && c.status !== "visible";
  if (held) {
    // Held by a comment filter: only the commenter and (for the creator's own filter) the
    // creator get it from the API. Say so, and let the creator approve it.
    item.classList.add("comment-held");
    const badge = document.createElement("span");
    badge.className = "comment-held-badge";
    badge.textContent = ownerOfVideo && c.status === "held_by_creator" ? strings.heldForYou || "Held by your filter" : strings.held || "Held for review";
    actions.append(badge);
    if (ownerOfVideo && c.status === "held_by_creator") {
      const approve = document.createElement("button");
      approve.type = "button";
      approve.className = "linklike";
      approve.dataset.action = "approve-comment";
      approve.textContent = strings.approve || "Approve";
      actions.append(approve);
    }
  }
  const like = document.createElement("button");
  like.type = "button";
  like.className = "comment-like";
  like.dataset.action = "comment-like";
  like.setAttribute("aria-pressed", String(Boolean(c.liked)));
  like.setAttribute("aria-label", strings.likeComment || "Like comment");
  like.innerHTML = '<svg class="icon" aria-hidden="true"><use href="' + body.dataset.icons + '#i-heart"></use></svg>';
  const count = document.createElement("span");
  count.dataset.count = "comment-likes";
  count.dataset.value = String(c.likes || 0);
  count.textContent = formatCount(c.likes || 0);
  like.append(count);
  if (!held) actions.append(like);
  if (!c.parent && !held) {
    const reply = document.createElement("button");
    reply.type = "button";
    reply.className = "linklike";
    reply.dataset.action = "reply";
    reply.textContent = strings.reply || "Reply";
    actions.append(reply);
  }
  const authorName = c.author.username ?? c.author;
  if (me && (authorName === me || ownerOfVideo)) {
    const del = document.createElement("button");
    del.type = "button";
    del.className = "linklike";
    del.dataset.action = "delete-comment";
    del.textContent = strings.delete || "Delete";
    actions.append(del);
  } else if (me && authorName !== me) {
    // A plain link to the server-rendered report form (videos/report_views.py).
    const report = document.createElement("a");
    report.className = "linklike comment-report";
    report.href = `/report/comment/${encodeURIComponent(c.id)}/`;
    report.textContent = strings.report || "Report";
    actions.append(report);
  }
  item.append(author, text, actions);
  if (!c.parent) {
    const replies = document.createElement("ul");
    replies.className = "replies";
    item.append(replies);
  }
  return item;
}

function placeComment(c, { prepend = false } = {}) {
  const list = drawer.querySelector(".comment-list");
  if (list.querySelector(`[data-comment="${CSS.escape(c.id)}"]`)) return; // dedupe live + fetch
  const owner = openVideo && document.querySelector(`.slide[data-video="${CSS.escape(openVideo)}"]`)?.dataset.author === me;
  const node = commentNode(c, owner);
  if (c.parent) {
    const parent = list.querySelector(`[data-comment="${CSS.escape(c.parent)}"] > .replies`);
    if (parent) parent.append(node);
    return;
  }
  if (prepend) list.prepend(node);
  else list.append(node);
  drawer.querySelector(".comments-empty").hidden = true;
}

async function openComments(slide) {
  if (!drawer) return;
  openVideo = slide.dataset.video;
  replyTo = null;
  const list = drawer.querySelector(".comment-list");
  list.replaceChildren();
  drawer.querySelector(".comments-empty").hidden = false;
  drawer.querySelector(".comments-off").hidden = true;
  drawer.hidden = false;
  drawer.dataset.video = openVideo;
  const count = slide.querySelector('[data-count="comments"]')?.dataset.value ?? "0";
  setCount(drawer, "comments", Number(count));
  const form = drawer.querySelector("form");
  form.hidden = !me;
  drawer.querySelector(".comments-login").hidden = Boolean(me);
  drawer.querySelector("textarea").placeholder = strings.addComment || "";
  const ownerToggle = drawer.querySelector(".comments-toggle");
  ownerToggle.hidden = slide.dataset.author !== me;
  drawer.querySelector(".comments-close").focus();
  try {
    const data = await api("GET", `videos/${encodeURIComponent(openVideo)}/comments/?page_size=50`);
    if (drawer.dataset.video !== slide.dataset.video) return;
    const ordered = [...data.results].reverse(); // oldest first, so replies find parents
    for (const c of ordered.filter((c) => !c.parent)) placeComment(c, { prepend: true });
    for (const c of ordered.filter((c) => c.parent)) placeComment(c);
    if (data.allow_comments === false) {
      drawer.querySelector(".comments-off").hidden = false;
      form.hidden = true;
    }
    ownerToggle.querySelector("input").checked = data.allow_comments !== false;
  } catch (error) {
    toast(error.message);
  }
}

function closeComments() {
  if (!drawer || drawer.hidden) return;
  drawer.hidden = true;
  const slide = document.querySelector(`.slide[data-video="${CSS.escape(openVideo || "")}"]`);
  openVideo = null;
  slide?.querySelector('[data-action="comments"]')?.focus();
}

if (drawer) {
  drawer.querySelector(".comments-close").addEventListener("click", closeComments);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeComments();
  });
  drawer.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const textarea = drawer.querySelector("textarea");
    const error = drawer.querySelector(".comment-error");
    error.textContent = "";
    const text = textarea.value.trim();
    if (!text || !openVideo) return;
    const button = drawer.querySelector("form button[type=submit]");
    button.disabled = true;
    try {
      const c = await api("POST", `videos/${encodeURIComponent(openVideo)}/comments/`, {
        text,
        parent: replyTo,
      });
      textarea.value = "";
      replyTo = null;
      drawer.querySelector(".replying").hidden = true;
      placeComment(c, { prepend: true });
    } catch (err) {
      error.textContent = err.payload?.error?.fields?.text?.[0] || err.message;
    } finally {
      button.disabled = false;
    }
  });
  drawer.querySelector(".comments-toggle input").addEventListener("change", async (event) => {
    try {
      await api("PATCH", `videos/${encodeURIComponent(openVideo)}/`, { allow_comments: event.target.checked });
    } catch (error) {
      event.target.checked = !event.target.checked;
      toast(error.message);
    }
  });
  drawer.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const item = button.closest(".comment");
    const id = item?.dataset.comment;
    if (button.dataset.action === "reply") {
      replyTo = id;
      const replying = drawer.querySelector(".replying");
      replying.hidden = false;
      replying.querySelector("span").textContent = item.querySelector(".comment-author").textContent;
      drawer.querySelector("textarea").focus();
    } else if (button.dataset.action === "cancel-reply") {
      replyTo = null;
      drawer.querySelector(".replying").hidden = true;
    } else if (button.dataset.action === "delete-comment") {
      try {
        await api("DELETE", `comments/${encodeURIComponent(id)}/`);
        item.remove();
      } catch (error) {
        toast(error.message);
      }
    } else if (button.dataset.action === "approve-comment") {
      try {
        const c = await api("POST", `comments/${encodeURIComponent(id)}/approve/`);
        item.replaceWith(commentNode(c, true));
      } catch (error) {
        toast(error.message);
      }
    } else if (button.dataset.action === "comment-like") {
      if (!requireLogin()) return;
      const liked = button.getAttribute("aria-pressed") === "true";
      try {
        const result = await api(liked ? "DELETE" : "POST", `comments/${encodeURIComponent(id)}/like/`);
        button.setAttribute("aria-pressed", String(result.liked));
        setCount(button, "comment-likes", result.likes);
      } catch (error) {
        toast(error.message);
      }
    }
  });
}

onLiveMessage((message) => {
  if (!drawer || drawer.hidden || message.video !== openVideo) return;
  if (message.type === "comment.new") placeComment(message.comment, { prepend: true });
  else if (message.type === "comment.removed") drawer.querySelector(`[data-comment="${CSS.escape(message.comment)}"]`)?.remove();
  else if (message.type === "video.stats") setCount(drawer, "comments", message.comments);
});

// --- the rail --------------------------------------------------------------------------------
document.addEventListener("click", (event) => {
  const button = event.target.closest(".slide [data-action]");
  if (!button) return;
  const slide = button.closest(".slide");
  const action = button.dataset.action;
  if (action === "like") toggleLike(slide);
  else if (action === "comments") openComments(slide);
  else if (action === "share") share(slide, button);
  else if (action === "follow") follow(slide, button);
  else return;
  event.preventDefault();
});
