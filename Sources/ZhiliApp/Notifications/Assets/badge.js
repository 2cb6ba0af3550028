// The unread count next to 消息 in the navigation (the side menu and the phone's tab bar):
// read when the page opens and whenever the live push says a message came (or was read on
// another screen), so a new dispatch or reply shows at once without reloading. Without the
// push (an old browser, a proxy that drops WebSockets) it is read once a minute.

(function () {
  "use strict";
  var links = document.querySelectorAll('.sidenav a[href="/notifications"], .tabbar a[href="/notifications"]');
  if (!links.length || !window.fetch) { return; }
  var badges = Array.prototype.map.call(links, function (link) {
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    (link.querySelector(".tab-label") || link).appendChild(badge);
    return badge;
  });
  function refresh() {
    fetch("/api/v1/notifications/unread", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var n = body.unread || 0;
        badges.forEach(function (badge) {
          badge.textContent = n > 99 ? "99+" : String(n);
          badge.hidden = n === 0;
        });
      })
      .catch(function () {});
  }
  refresh();
  var live = window.zhili && window.zhili.live;
  if (live && live.on) {
    live.on("notice", refresh);
    live.on("notice-read", refresh);
    live.on("reset", refresh);
  }
  setInterval(function () { if (!(live && live.connected)) { refresh(); } }, 60000);
})();
