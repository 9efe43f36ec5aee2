// The sound page's play button: plays and pauses the sound's <audio> (which keeps its own
// controls, so the page works the same without this file).

const audio = document.querySelector(".sound-audio");
const button = document.querySelector("[data-sound-play]");

if (audio && button) {
  button.hidden = false;
  const sync = () => {
    const playing = !audio.paused;
    button.setAttribute("aria-pressed", String(playing));
    button.setAttribute("aria-label", playing ? button.dataset.labelPause : button.dataset.labelPlay);
    button.classList.toggle("is-playing", playing);
  };
  button.addEventListener("click", () => {
    if (audio.paused) audio.play().catch(() => {});
    else audio.pause();
  });
  for (const name of ["play", "pause", "ended"]) audio.addEventListener(name, sync);
  sync();
}
