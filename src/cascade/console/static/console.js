// Cascade console: confirmation before what cannot be undone, and live updates (SSE).
"use strict";

function confirmations(root) {
  root.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
}

function follow(live) {
  var address = live.getAttribute("data-live");
  if (!address || !window.EventSource) {
    return;
  }
  var source = new EventSource(address);
  source.addEventListener("tree", function (event) {
    live.innerHTML = event.data;
    confirmations(live);
  });
  source.addEventListener("ended", function () {
    source.close();
    live.setAttribute("data-ended", "true");
  });
}

document.addEventListener("DOMContentLoaded", function () {
  confirmations(document);
  var live = document.getElementById("live");
  if (live) {
    follow(live);
  }
});
