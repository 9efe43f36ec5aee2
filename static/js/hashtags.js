// Hashtag autocomplete in the caption box: typing "#da" lists the hashtags starting with
// "da" and how many videos each has (GET /api/v1/hashtags/?q=). Arrows move, Enter or a
// click picks, Escape closes. Without JavaScript the caption is a plain text box.

const box = document.querySelector("#upload-form textarea[name=caption]");
const list = document.getElementById("hashtag-suggestions");
const template = document.getElementById("upload-messages")?.dataset.videos || "%(n)s videos";
let items = [];
let selected = -1;
let timer = null;
let asked = "";

function currentTag() {
  const before = box.value.slice(0, box.selectionStart);
  const match = before.match(/(?:^|\s)#([\p{L}\p{N}_]{1,50})$/u);
  return match ? match[1] : "";
}

function close() {
  list.hidden = true;
  list.replaceChildren();
  items = [];
  selected = -1;
  box.removeAttribute("aria-activedescendant");
  box.setAttribute("aria-expanded", "false");
}

function pick(name) {
  const start = box.selectionStart;
  const before = box.value.slice(0, start).replace(/#([\p{L}\p{N}_]{1,50})$/u, `#${name} `);
  box.value = before + box.value.slice(start);
  box.selectionStart = box.selectionEnd = before.length;
  box.dispatchEvent(new Event("input"));
  close();
  box.focus();
}

function render() {
  list.replaceChildren(
    ...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `hashtag-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === selected));
      const name = document.createElement("span");
      name.textContent = `#${item.name}`;
      const count = document.createElement("span");
      count.className = "hint";
      count.textContent = template.replace("%(n)s", String(item.videos));
      li.append(name, count);
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(item.name);
      });
      return li;
    }),
  );
  list.hidden = items.length === 0;
  box.setAttribute("aria-expanded", String(!list.hidden));
  if (selected >= 0) box.setAttribute("aria-activedescendant", `hashtag-option-${selected}`);
}

async function suggest() {
  const prefix = currentTag();
  if (!prefix) return close();
  if (prefix === asked) return;
  asked = prefix;
  try {
    const response = await fetch(`/api/v1/hashtags/?q=${encodeURIComponent(prefix)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (currentTag() !== prefix) return;
    items = data.results || [];
    selected = -1;
    render();
  } catch (_) {
    close();
  }
}

if (box && list) {
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  box.addEventListener("blur", () => setTimeout(close, 100));
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      selected = (selected + step + items.length) % items.length;
      render();
      event.preventDefault();
    } else if ((event.key === "Enter" || event.key === "Tab") && selected >= 0) {
      pick(items[selected].name);
      event.preventDefault();
    } else if (event.key === "Escape") {
      close();
      asked = "";
      event.preventDefault();
    }
  });
}
