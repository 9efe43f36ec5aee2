// The upload page with a template: the caption's placeholders ("[your city]") are there to
// be replaced, so focusing the caption selects the first one left; the server refuses to
// post while one remains (videos/remix/templates.py).
const card = document.querySelector("[data-remix='template']");
const caption = document.querySelector("#id_caption");
if (card && caption) {
  const placeholders = (card.dataset.placeholders || "").split("|").filter(Boolean);
  const selectNext = () => {
    for (const p of placeholders) {
      const at = caption.value.indexOf(p);
      if (at >= 0) {
        caption.setSelectionRange(at, at + p.length);
        return true;
      }
    }
    return false;
  };
  caption.addEventListener("focus", () => {
    // After the browser places the caret, so the selection is not undone.
    requestAnimationFrame(selectNext);
  });
  caption.addEventListener("keydown", (event) => {
    // Tab jumps to the next placeholder while one is left; then it leaves the field as usual.
    if (event.key === "Tab" && !event.shiftKey && selectNext()) event.preventDefault();
  });
}
