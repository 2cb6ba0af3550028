// The unread count next to 消息 in the navigation: read on every page and once a minute, so a
// new dispatch or reply shows without reloading.

(function () {
  "use strict";
  var link = document.querySelector('.sidenav a[href="/notifications"]');
  if (!link || !window.fetch) { return; }
  var badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  link.appendChild(badge);
  function refresh() {
    fetch("/api/v1/notifications/unread", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var n = body.unread || 0;
        badge.textContent = n > 99 ? "99+" : String(n);
        badge.hidden = n === 0;
      })
      .catch(function () {});
  }
  refresh();
  setInterval(refresh, 60000);
})();
