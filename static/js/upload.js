// Upload with a real progress bar (bytes sent, from XHR upload events), then poll the
// processing state until the video is ready or the server says why it failed.
// Without JavaScript the form posts normally and the status page refreshes itself.

const form = document.getElementById("upload-form");
const messages = document.getElementById("upload-messages")?.dataset || {};
const caption = form?.querySelector("textarea[name=caption]");
const counter = document.getElementById("caption-count");

function formatBytes(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

function showErrors(errors) {
  form.querySelectorAll(".js-error").forEach((node) => node.remove());
  for (const [field, list] of Object.entries(errors || {})) {
    const anchor = form.querySelector(`[name="${CSS.escape(field)}"]`)?.closest(".field") || form.querySelector("button[type=submit]");
    const node = document.createElement("div");
    node.className = "field-error js-error";
    node.setAttribute("role", "alert");
    node.textContent = list.map((item) => item.message || item).join(" ");
    anchor.insertAdjacentElement(anchor.matches("button") ? "beforebegin" : "beforeend", node);
  }
}

async function poll(statusUrl, state) {
  for (;;) {
    const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const data = await response.json();
    if (data.status === "ready") return data;
    if (data.status === "failed") return data;
    state.textContent = messages.processing;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function finish(data, state, bar) {
  form.dataset.status = data.status;
  if (data.status === "ready") {
    bar.value = 100;
    state.textContent = `${messages.ready} `;
    const link = document.createElement("a");
    link.href = data.url;
    link.className = "btn";
    link.id = "watch-link";
    link.textContent = messages.watch;
    state.append(link);
  } else {
    state.textContent = `${messages.failed} ${data.reason}`;
    state.setAttribute("role", "alert");
    form.querySelector("button[type=submit]").disabled = false;
  }
}

if (form) {
  const update = () => counter && (counter.textContent = String(caption.value.length));
  caption?.addEventListener("input", update);
  update();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    const max = Number(form.dataset.maxBytes);
    if (file && max && file.size > max) {
      showErrors({ file: [messages.tooLarge] });
      return;
    }
    const wrap = form.querySelector(".upload-progress");
    const bar = document.getElementById("upload-bar");
    const state = document.getElementById("upload-state");
    const button = form.querySelector("button[type=submit]");
    wrap.hidden = false;
    button.disabled = true;
    showErrors({});
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      bar.value = Math.round((100 * e.loaded) / e.total);
      bar.dataset.loaded = String(e.loaded);
      state.textContent = fill(messages.uploading, { sent: formatBytes(e.loaded), total: formatBytes(e.total) });
    });
    xhr.upload.addEventListener("load", () => {
      bar.value = 100;
      form.dataset.uploaded = "1";
      state.textContent = messages.processing;
    });
    xhr.addEventListener("error", () => {
      state.textContent = messages.network;
      button.disabled = false;
    });
    xhr.addEventListener("load", async () => {
      let data = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch (_) {
        data = { errors: { file: [messages.network] } };
      }
      if (xhr.status >= 400) {
        wrap.hidden = true;
        button.disabled = false;
        showErrors(data.errors);
        return;
      }
      finish(data.status === "processing" ? await poll(data.status_url, state) : data, state, bar);
    });
    xhr.send(new FormData(form));
  });
}
