// The page of a return being checked: every few seconds, fetch the page again and show the
// step the check has reached in the status region (read out politely by screen readers);
// once the check has ended, load the page of what it found. A page that reloaded itself
// (meta refresh) would throw a screen reader back to the top each time (WCAG F41). Without
// JavaScript the page's "Refresh this page" link does the same by hand.
const status = document.getElementById("check-status");

async function poll(every) {
  try {
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.ok) {
      const fresh = new DOMParser()
        .parseFromString(await response.text(), "text/html")
        .getElementById("check-status");
      if (!fresh) {
        window.location.reload();
        return;
      }
      if (fresh.innerHTML !== status.innerHTML) {
        status.innerHTML = fresh.innerHTML;
      }
    }
  } catch {
    // The network dropped for a moment: try again next time.
  }
  window.setTimeout(() => poll(every), every);
}

if (status) {
  const every = Number(status.dataset.refreshSeconds || 5) * 1000;
  window.setTimeout(() => poll(every), every);
}
