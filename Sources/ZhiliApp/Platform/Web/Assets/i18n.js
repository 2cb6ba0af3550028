// Messages for the pages' scripts: the page carries the catalogue entries whose keys hold
// ".js." (in its language) as JSON; zhili.t(key, a, b) fills {0}, {1} like the server does.

(function () {
  "use strict";
  var el = document.getElementById("zhili-messages");
  var messages = {};
  try { messages = el ? JSON.parse(el.textContent) : {}; } catch (e) { messages = {}; }
  function t(key) {
    var args = Array.prototype.slice.call(arguments, 1);
    var text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    return text.replace(/\{(\d+)\}/g, function (m, n) { return n < args.length ? String(args[n]) : m; });
  }
  window.zhili = window.zhili || {};
  window.zhili.t = t;
  window.zhili.lang = document.documentElement.lang === "en" ? "en" : "zh";
})();
