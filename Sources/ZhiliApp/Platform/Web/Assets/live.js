// The live push (/api/v1/live): one WebSocket per page, opened with the session cookie.
// Scripts subscribe with zhili.live.on(kind, fn(data, event)); "hello" and "reset" come when
// the socket opens and when the server cannot replay what was missed (reload your data then).
// The last sequence number seen is kept for the tab (sessionStorage), so the next page, or a
// reconnect after the network dropped, asks for what happened meanwhile and misses nothing;
// the numbers of recent events are kept too, so an event replayed twice is handled once.

(function () {
  "use strict";
  window.zhili = window.zhili || {};
  if (!window.WebSocket || !window.JSON) { window.zhili.live = { on: function () {}, connected: false }; return; }
  var handlers = {};
  var store = window.sessionStorage;
  var KEY = "zhili.live";
  var saved = {};
  try { saved = JSON.parse((store && store.getItem(KEY)) || "{}") || {}; } catch (e) { saved = {}; }
  var cursor = typeof saved.seq === "number" ? saved.seq : 0;
  var seen = Array.isArray(saved.seen) ? saved.seen.slice(-200) : [];
  var seenSet = {};
  seen.forEach(function (s) { seenSet[s] = true; });
  var socket = null;
  var delay = 1000;
  var live = { on: on, connected: false, cursor: function () { return cursor; } };
  window.zhili.live = live;

  function on(kind, fn) {
    (handlers[kind] = handlers[kind] || []).push(fn);
  }

  function emit(kind, data, event) {
    (handlers[kind] || []).concat(handlers["*"] || []).forEach(function (fn) {
      try { fn(data, event); } catch (e) { if (window.console) { console.error(e); } }
    });
  }

  function save() {
    if (!store) { return; }
    try { store.setItem(KEY, JSON.stringify({ seq: cursor, seen: seen.slice(-200) })); } catch (e) {}
  }

  function status(connected) {
    live.connected = connected;
    document.documentElement.setAttribute("data-live", connected ? "on" : "off");
    emit("status", { connected: connected }, null);
  }

  function receive(text) {
    var event;
    try { event = JSON.parse(text); } catch (e) { return; }
    if (!event || typeof event.kind !== "string") { return; }
    if (event.kind === "hello" || event.kind === "reset") {
      if (event.kind === "reset" || !cursor) { cursor = event.seq || 0; save(); }
      emit(event.kind, event, event);
      return;
    }
    if (typeof event.seq !== "number" || seenSet[event.seq]) { return; }
    seenSet[event.seq] = true;
    seen.push(event.seq);
    if (seen.length > 400) { seen.splice(0, seen.length - 200).forEach(function (s) { delete seenSet[s]; }); }
    if (event.seq > cursor) { cursor = event.seq; }
    save();
    emit(event.kind, event.data || {}, event);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/api/v1/live" + (cursor ? "?since=" + cursor : "");
    try { socket = new WebSocket(url); } catch (e) { retry(); return; }
    socket.onopen = function () { delay = 1000; status(true); };
    socket.onmessage = function (m) { if (typeof m.data === "string") { receive(m.data); } };
    socket.onclose = function () {
      socket = null;
      status(false);
      retry();
    };
  }

  function retry() {
    setTimeout(connect, delay + Math.floor(Math.random() * 500));
    delay = Math.min(delay * 2, 30000);
  }

  // Keep the connection alive through proxies that close quiet sockets.
  setInterval(function () {
    if (socket && socket.readyState === 1) { try { socket.send("ping"); } catch (e) {} }
  }, 45000);
  window.addEventListener("pagehide", function () { if (socket) { socket.onclose = null; socket.close(); } });
  connect();
})();
