// Live updates over /api/stream (Server-Sent Events). The browser's EventSource reconnects by
// itself and sends Last-Event-ID, so the server replays whatever was missed.
(function () {
  "use strict";
  var body = document.body;
  var live = document.getElementById("live");
  if (!live) { return; }
  var company = body.getAttribute("data-company");
  var module = body.getAttribute("data-module");
  var refreshUrl = body.getAttribute("data-live-refresh");
  var targetId = body.getAttribute("data-live-target");
  var ticker = document.getElementById("ticker");
  // How long events are gathered before the page's live part is fetched again (the overview's
  // counts are whole-queue aggregates: at most one refresh every few seconds).
  var delay = parseInt(body.getAttribute("data-live-delay") || "250", 10);
  var pending = null;

  function refresh() {
    if (!refreshUrl || !targetId) { return; }
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(refreshUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var target = document.getElementById(targetId);
          if (html !== null && target) { target.innerHTML = html; }
        })
        .catch(function () {});
    }, delay);
  }

  function setStatus(el, status) {
    el.textContent = status;
    el.className = "status s-" + status;
  }

  function onEvent(e) {
    var ev;
    try { ev = JSON.parse(e.data); } catch (err) { return; }
    if (module) {
      if (ev.table === "cm_module_content" && ev.row_id === module && ev.status_column === "status") {
        setStatus(document.getElementById("module-status"), ev.new_status);
      }
      if (ev.row_id === module || ev.correlation_id === module || ev.company_id === company) {
        refresh();
      }
    } else {
      refresh();
    }
    if (ticker) {
      var empty = ticker.querySelector(".ticker-empty");
      if (empty) { ticker.removeChild(empty); }
      var li = document.createElement("li");
      li.textContent = "#" + ev.event_id + " " + ev.table + "." + ev.status_column + ": " +
        (ev.old_status || "new") + " → " + ev.new_status + " (" + ev.time.substring(11, 19) + ")";
      ticker.insertBefore(li, ticker.firstChild);
      while (ticker.children.length > 20) { ticker.removeChild(ticker.lastChild); }
    }
  }

  function connect() {
    var url = "/api/stream" + (company ? "?company_id=" + encodeURIComponent(company) : "");
    var source = new EventSource(url);
    source.onopen = function () { live.textContent = "live"; live.className = "live on"; };
    source.onerror = function () { live.textContent = "reconnecting"; live.className = "live"; };
    source.onmessage = onEvent;
    source.addEventListener("reset", function () { window.location.reload(); });
  }
  connect();

  // The dead-letter page: follow the deliveries just sent back until they land.
  var retried = document.querySelector("[data-retried]");
  if (retried) {
    var ids = retried.getAttribute("data-retried");
    var poll = function () {
      fetch("/api/deliveries?ids=" + encodeURIComponent(ids), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (states) {
          var open = false;
          Object.keys(states).forEach(function (id) {
            var el = document.querySelector('[data-delivery="' + id + '"]');
            if (el) { el.textContent = states[id]; el.className = "state st-" + states[id]; }
            if (states[id] === "pending" || states[id] === "running") { open = true; }
          });
          if (open) { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();
