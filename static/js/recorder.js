// The recorder on the upload page: record with the camera (getUserMedia + MediaRecorder)
// or pick a file. For a duet the original plays beside the camera and the recording stops
// with it; for a stitch a range (at most 5 s) of the original is chosen on two sliders.
// The recording is posted through upload.js's XHR progress path (submitUpload).

import { bindUploadForm } from "./upload.js";

const form = document.getElementById("upload-form");
const root = document.getElementById("recorder");
const STITCH_MAX = 5;

function pickMimeType() {
  const candidates = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"];
  return candidates.find((type) => window.MediaRecorder?.isTypeSupported?.(type)) || "";
}

function setupStitchRange() {
  const range = document.querySelector(".stitch-range");
  const original = document.getElementById("recorder-original");
  if (!range) return;
  const start = range.querySelector("[name=stitch_start]");
  const end = range.querySelector("[name=stitch_end]");
  const duration = Number(range.dataset.duration) || 0;
  const show = () => {
    range.querySelector('output[data-for="stitch_start"]').textContent = Number(start.value).toFixed(1);
    range.querySelector('output[data-for="stitch_end"]').textContent = Number(end.value).toFixed(1);
  };
  const clamp = (moved) => {
    let a = Number(start.value);
    let b = Number(end.value);
    if (moved === start) {
      if (b <= a) b = Math.min(duration, a + 0.5);
      if (b - a > STITCH_MAX) b = a + STITCH_MAX;
    } else {
      if (a >= b) a = Math.max(0, b - 0.5);
      if (b - a > STITCH_MAX) a = b - STITCH_MAX;
    }
    start.value = String(a);
    end.value = String(Math.min(b, duration || b));
    show();
    if (original) original.currentTime = Number(start.value);
  };
  if (Number(end.value) > duration && duration) end.value = String(Math.min(duration, STITCH_MAX));
  start.addEventListener("input", () => clamp(start));
  end.addEventListener("input", () => clamp(end));
  clamp(end);
  // Preview: the chosen part plays on a loop.
  original?.addEventListener("timeupdate", () => {
    if (original.currentTime > Number(end.value)) original.currentTime = Number(start.value);
  });
}

function setupLayout() {
  const stage = root?.querySelector(".recorder-stage");
  for (const radio of document.querySelectorAll("input[name=layout]")) {
    radio.addEventListener("change", () => {
      if (radio.checked && stage) stage.dataset.layout = radio.value;
    });
  }
}

function setupRecorder() {
  const controls = root.querySelector(".recorder-controls");
  const camera = document.getElementById("recorder-camera");
  const preview = document.getElementById("recorder-preview");
  const original = document.getElementById("recorder-original");
  const state = root.querySelector('[data-recorder="state"]');
  const buttons = Object.fromEntries(
    ["camera", "record", "stop", "again"].map((name) => [name, root.querySelector(`[data-recorder="${name}"]`)]),
  );
  const fileInput = form.querySelector("input[type=file]");
  const kind = root.dataset.kind;
  const maxMs = (Number(root.dataset.maxSeconds) || 600) * 1000;
  let stream = null;
  let recorder = null;
  let recording = null;
  let previewUrl = "";
  let limitTimer = null;

  bindUploadForm(form, { getFile: () => recording });
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) return; // file only
  controls.hidden = false;

  const show = (visible) => {
    for (const [name, button] of Object.entries(buttons)) button.hidden = !visible.includes(name);
  };

  async function openCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 720 }, height: { ideal: 1280 } },
        audio: true,
      });
    } catch (error) {
      state.textContent = root.dataset.msgDenied;
      return;
    }
    camera.srcObject = stream;
    camera.hidden = false;
    preview.hidden = true;
    root.dataset.state = "camera";
    show(["record"]);
    if (original) {
      original.muted = true;
      original.loop = kind !== "stitch";
      original.play().catch(() => {});
    }
  }

  function startRecording() {
    const mimeType = pickMimeType();
    const chunks = [];
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      clearTimeout(limitTimer);
      const type = recorder.mimeType || mimeType || "video/webm";
      const extension = type.includes("mp4") ? "mp4" : "webm";
      recording = new File([new Blob(chunks, { type })], `recording.${extension}`, { type });
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(recording);
      preview.src = previewUrl;
      preview.hidden = false;
      camera.hidden = true;
      stream?.getTracks().forEach((track) => track.stop());
      stream = null;
      if (fileInput) fileInput.value = "";
      if (original) original.pause();
      root.dataset.state = "recorded";
      form.dataset.recorded = String(recording.size);
      state.textContent = root.dataset.msgRecorded;
      show(["again"]);
    });
    recorder.start(250);
    root.dataset.state = "recording";
    state.textContent = root.dataset.msgRecording;
    show(["stop"]);
    limitTimer = setTimeout(stopRecording, maxMs);
    if (original && kind === "duet") {
      // The duet runs with the original: it starts from the top, and its end ends the take.
      original.loop = false;
      original.currentTime = 0;
      original.muted = false;
      original.play().catch(() => {
        original.muted = true;
        original.play().catch(() => {});
      });
      original.addEventListener("ended", stopRecording, { once: true });
    }
  }

  function stopRecording() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  buttons.camera.addEventListener("click", openCamera);
  buttons.record.addEventListener("click", startRecording);
  buttons.stop.addEventListener("click", stopRecording);
  buttons.again.addEventListener("click", () => {
    recording = null;
    delete form.dataset.recorded;
    preview.removeAttribute("src");
    preview.hidden = true;
    openCamera();
  });
  // A file chosen after a take replaces it.
  fileInput?.addEventListener("change", () => {
    if (fileInput.files.length) {
      recording = null;
      delete form.dataset.recorded;
    }
  });
}

if (form && root) {
  setupStitchRange();
  setupLayout();
  setupRecorder();
}
