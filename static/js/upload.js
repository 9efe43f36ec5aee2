// Upload with a real progress bar (bytes sent, from XHR upload events), then poll the
// processing state until the video is ready or the server says why it failed.
// Without JavaScript the form posts normally and the status page refreshes itself.
// recorder.js posts a camera recording through the same path (submitUpload).

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

function showErrors(target, errors) {
  target.querySelectorAll(".js-error").forEach((node) => node.remove());
  for (const [field, list] of Object.entries(errors || {})) {
    const anchor =
      target.querySelector(`[name="${CSS.escape(field)}"]`)?.closest(".field, fieldset, .remix-card") ||
      target.querySelector("button[type=submit]");
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

function finish(target, data, state, bar) {
  target.dataset.status = data.status;
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
    target.querySelector("button[type=submit]").disabled = false;
  }
}

/**
 * Post the upload form with XHR: a progress bar of the bytes sent, then the processing
 * state until ready or failed. `file` (a File or Blob, e.g. a camera recording) takes
 * the place of the form's file input. Resolves with the final status payload.
 */
export function submitUpload(target, { file = null, filename = "recording.webm" } = {}) {
  const chosen = file || target.querySelector("input[type=file]").files[0];
  const max = Number(target.dataset.maxBytes);
  if (chosen && max && chosen.size > max) {
    showErrors(target, { file: [messages.tooLarge] });
    return Promise.resolve(null);
  }
  if (!chosen) {
    showErrors(target, { file: [messages.noFile || messages.network] });
    return Promise.resolve(null);
  }
  const wrap = target.querySelector(".upload-progress");
  const bar = document.getElementById("upload-bar");
  const state = document.getElementById("upload-state");
  const button = target.querySelector("button[type=submit]");
  wrap.hidden = false;
  button.disabled = true;
  showErrors(target, {});
  const body = new FormData(target);
  if (file) body.set("file", file, file.name || filename);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", target.action || location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", target.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      bar.value = Math.round((100 * e.loaded) / e.total);
      bar.dataset.loaded = String(e.loaded);
      state.textContent = fill(messages.uploading, { sent: formatBytes(e.loaded), total: formatBytes(e.total) });
    });
    xhr.upload.addEventListener("load", () => {
      bar.value = 100;
      target.dataset.uploaded = "1";
      state.textContent = messages.processing;
    });
    xhr.addEventListener("error", () => {
      state.textContent = messages.network;
      button.disabled = false;
      resolve(null);
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
        showErrors(target, data.errors);
        resolve(data);
        return;
      }
      const final = data.status === "processing" ? await poll(data.status_url, state) : data;
      finish(target, final, state, bar);
      resolve(final);
    });
    xhr.send(body);
  });
}

/** Send the form through submitUpload on submit; getFile() may supply a recording. */
export function bindUploadForm(target, { getFile = () => null } = {}) {
  target.addEventListener("submit", (event) => {
    event.preventDefault();
    submitUpload(target, { file: getFile() });
  });
}

if (form) {
  const update = () => counter && (counter.textContent = String(caption.value.length));
  caption?.addEventListener("input", update);
  update();
  // A page with the recorder lets recorder.js bind the form (with its recording).
  if (!form.dataset.recorder) bindUploadForm(form);
}
