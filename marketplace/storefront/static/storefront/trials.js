/* Trial runs on a listing page: while one is queued or rendering, ask the status endpoint every two
   seconds and reload the page once none is pending (without JavaScript, reloading shows the same). */
(function () {
  "use strict";
  function poll() {
    var section = document.querySelector("[data-trials-pending]");
    if (!section) { return; }
    var url = section.getAttribute("data-trials-pending"), tries = 0;
    function ask() {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.pending === 0) { window.location.reload(); } else if (tries < 90) { setTimeout(ask, 2000); }
        })
        .catch(function () { if (tries < 90) { setTimeout(ask, 5000); } });
    }
    setTimeout(ask, 1500);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", poll); } else { poll(); }
})();
