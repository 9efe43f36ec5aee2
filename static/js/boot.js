// Runs before first paint: switch the page from its no-JavaScript layout to the player.
document.documentElement.classList.replace("no-js", "js");
