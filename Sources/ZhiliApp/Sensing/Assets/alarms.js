// The alarm console and an alarm's page, kept current by the live push: a new or changed
// alarm in the viewer's area updates its row at once (the server filters by area before
// sending); a closed one leaves the open list. A new critical alarm flashes the page and,
// once the viewer switched sound on (browsers allow sound only after a click), beeps.

(function () {
  "use strict";
  var z = window.zhili || {};
  var t = z.t || function (k) { return k; };
  var live = z.live;
  var state = document.getElementById("live-state");
  var toggle = document.getElementById("sound-toggle");
  var box = document.getElementById("open-alarms");
  var page = document.querySelector("[data-alarm]");
  var sound = false;
  var audio = null;
  var OPEN = { raised: true, acknowledged: true, dispatched: true };
  // Names of severities and statuses: sensing.js.severity.<term>, sensing.js.status.<term>.
  var SEVERITY = "sensing.js.severity.";
  var STATUS = "sensing.js.status.";

  function beep() {
    if (!sound) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35, 0.7].forEach(function (offset) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + offset);
        osc.stop(audio.currentTime + offset + 0.2);
      });
    } catch (e) {}
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      sound = !sound;
      toggle.textContent = sound ? t("sensing.js.sound-off") : t("sensing.js.sound-on");
      if (sound) { beep(); }
    });
  }

  function flash() {
    document.body.classList.remove("alarm-flash");
    void document.body.offsetWidth;
    document.body.classList.add("alarm-flash");
    setTimeout(function () { document.body.classList.remove("alarm-flash"); }, 6000);
  }

  // As the server writes times: 2026-12-03 16:05, in Beijing time.
  function time(at) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-CA", {
        timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", hourCycle: "h23"
      }).formatToParts(new Date(at)).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
    } catch (e) { return at; }
  }

  // The figures above the list, counted again from the rows it now holds.
  function recount() {
    var figures = document.querySelectorAll(".alarm-stats .stat .figure");
    if (!box || figures.length < 3) { return; }
    var rows = box.querySelectorAll("tbody tr");
    var critical = box.querySelectorAll("tbody tr .sev-critical").length;
    var waiting = box.querySelectorAll("tbody tr .status-raised").length;
    [rows.length, critical, waiting].forEach(function (n, i) {
      figures[i].textContent = String(n);
      var card = figures[i].parentNode;
      card.classList.remove("ok", "warn", "bad");
      card.classList.add(n === 0 ? "ok" : (i === 0 ? "warn" : "bad"));
    });
  }

  function rowOf(id) {
    var link = box.querySelector('a[href="/alarms/' + id + '"]');
    return link ? link.closest("tr") : null;
  }

  function cell(label, content) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    return td;
  }

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function rowFor(a, columns) {
    var tr = document.createElement("tr");
    var link = document.createElement("a");
    link.href = "/alarms/" + a.id;
    link.textContent = z.lang === "en" ? a.titleEn : a.title;
    tr.appendChild(cell(columns[0], span("sev sev-" + a.severity, t(SEVERITY + a.severity))));
    tr.appendChild(cell(columns[1], link));
    tr.appendChild(cell(columns[2], a.place || "—"));
    tr.appendChild(cell(columns[3], time(a.firstAt) + (a.count > 1 ? " ×" + a.count : "")));
    tr.appendChild(cell(columns[4], span("status status-" + a.status, t(STATUS + a.status))));
    return tr;
  }

  function tableBody(columns) {
    var table = box.querySelector("table");
    if (!table) {
      box.innerHTML = "";
      table = document.createElement("table");
      table.className = "data alarms-open";
      var head = document.createElement("tr");
      columns.forEach(function (c) { var th = document.createElement("th"); th.textContent = c; head.appendChild(th); });
      var thead = document.createElement("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      table.appendChild(document.createElement("tbody"));
      box.appendChild(table);
    }
    return table.tBodies[0] || table.appendChild(document.createElement("tbody"));
  }

  function upsert(a) {
    if (!box) { return; }
    var columns = (box.getAttribute("data-columns") || "").split("|");
    var existing = rowOf(a.id);
    if (!OPEN[a.status]) {
      if (existing) { existing.parentNode.removeChild(existing); recount(); }
      return;
    }
    var row = rowFor(a, columns);
    if (existing) {
      existing.parentNode.replaceChild(row, existing);
    } else {
      var body = tableBody(columns);
      body.insertBefore(row, body.firstChild);
      row.classList.add("fresh");
      if (a.status === "raised" && (a.severity === "critical" || a.severity === "major")) {
        flash();
        beep();
        document.title = t("sensing.js.new-alarm", z.lang === "en" ? a.titleEn : a.title);
      }
    }
    recount();
  }

  if (live && live.on) {
    live.on("status", function (s) {
      if (state) {
        state.textContent = s.connected ? t("sensing.js.live-on") : t("sensing.js.live-off");
        state.className = "live-state " + (s.connected ? "on" : "off");
      }
    });
    live.on("alarm", function (a) {
      upsert(a);
      // An alarm's own page shows the new state (unless a form is being filled in).
      if (page && page.getAttribute("data-alarm") === a.id) {
        var busy = document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName);
        if (!busy) { location.reload(); }
      }
    });
    live.on("reset", function () { if (box) { location.reload(); } });
  }
})();
