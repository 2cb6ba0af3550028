// The map and location button of 有事您说: the phone's position or a tap sets lat/lon. Photos
// are previewed and, when large, shrunk in the phone before upload (canvas re-encoding also
// drops EXIF, GPS included); the server checks and re-encodes them again in any case.

(function () {
  "use strict";
  var el = document.getElementById("tell-map");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon"), info = document.getElementById("loc-text");
  var t = window.zhili.t;
  function set(la, lo, place) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    info.textContent = place ? t("complaints.js.location-in", place) : t("complaints.js.location-set");
    if (!place) {
      // In words: the community and grid the point lies in.
      fetch("/api/v1/grids/locate?lat=" + lat.value + "&lon=" + lon.value, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (g) { if (g) { info.textContent = t("complaints.js.location-in", g.communityName + " " + g.gridName); } })
        .catch(function () {});
    }
    if (marker) { marker.setLatLng([la, lo]); } else if (map) { marker = L.circleMarker([la, lo], { radius: 8, color: "#c8102e" }).addTo(map); }
    checkNearby();
  }
  var map = null, marker = null;
  // Same problem nearby? Offer to follow it instead of filing a duplicate.
  var nearbyBox = document.getElementById("nearby");
  function checkNearby() {
    var cat = document.getElementById("category");
    if (!nearbyBox || !cat || !cat.value || !lat.value) { return; }
    fetch("/api/v1/complaints/nearby?category=" + encodeURIComponent(cat.value) + "&lat=" + lat.value + "&lon=" + lon.value, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        nearbyBox.textContent = "";
        nearbyBox.hidden = !list.length;
        if (!list.length) { return; }
        var head = document.createElement("strong");
        head.textContent = t("complaints.js.nearby-head");
        nearbyBox.appendChild(head);
        list.slice(0, 3).forEach(function (c) {
          var row = document.createElement("div"), b = document.createElement("button");
          row.className = "nearby-item";
          row.appendChild(document.createTextNode(c.text + " · " + t("complaints.js.metres", Math.round(c.distanceMeters)) + " "));
          b.type = "button"; b.textContent = t("complaints.js.follow");
          b.addEventListener("click", function () {
            var token = document.querySelector("input[name=_csrf]");
            fetch("/api/v1/complaints/" + c.id + "/follow", { method: "POST", credentials: "same-origin",
              headers: { "X-CSRF-Token": token ? token.value : "", "Content-Type": "application/json" },
              body: JSON.stringify({ lat: parseFloat(lat.value), lon: parseFloat(lon.value) }) })
              .then(function (r) { if (r.ok) { window.location.href = "/complaints/" + c.id; } else { b.textContent = t("complaints.js.follow-failed"); } });
          });
          row.appendChild(b);
          nearbyBox.appendChild(row);
        });
      }).catch(function () {});
  }
  if (el && typeof L !== "undefined" && window.zhili.baseMap) {
    // The same base map as the staff's: named blocks to tap, not a blank shape.
    var base = window.zhili.baseMap(el, {
      onGrid: function (f, layer) {
        layer.on("click", function (e) { L.DomEvent.stopPropagation(e); set(e.latlng.lat, e.latlng.lng, f.properties.name); });
      }
    });
    map = base.map;
    base.ready.catch(function () { map.setView([40.142, 94.662], 13); });
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
  }
  var button = document.getElementById("locate");
  if (button) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { info.textContent = t("complaints.js.no-geolocation"); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        set(pos.coords.latitude, pos.coords.longitude);
        if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 16); }
      }, function () { info.textContent = t("complaints.js.location-refused"); });
    });
    if (el && el.dataset.autolocate === "1") { button.click(); }
  }
  // Only the chosen category's extra questions are shown and sent.
  var category = document.getElementById("category");
  function showQuestions() {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset.questions"), function (fs) {
      var on = category && fs.dataset.category === category.value;
      fs.hidden = !on; fs.disabled = !on;
    });
  }
  if (category) { category.addEventListener("change", function () { showQuestions(); checkNearby(); }); showQuestions(); }
  var form = document.querySelector("form.tell-form"), input = document.getElementById("photos"), previews = document.getElementById("photo-previews");
  if (!form || !input || !window.fetch || !window.FormData) { return; }
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png)$/.test(file.type) || file.size < 1500000) { resolve(file); return; }
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var s = Math.min(1, 2560 / Math.max(img.naturalWidth, img.naturalHeight)), c = document.createElement("canvas");
        c.width = Math.round(img.naturalWidth * s); c.height = Math.round(img.naturalHeight * s);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { resolve(b ? new File([b], "photo.jpg", { type: "image/jpeg" }) : file); }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }
  input.addEventListener("change", function () {
    previews.textContent = "";
    var list = Array.prototype.slice.call(input.files || []);
    if (list.length > 9) { previews.textContent = t("complaints.js.max-photos"); }
    list.slice(0, 9).forEach(function (f) {
      var im = document.createElement("img"); im.src = URL.createObjectURL(f); im.alt = f.name; im.className = "thumb";
      previews.appendChild(im);
    });
  });
  form.addEventListener("submit", function (e) {
    var list = Array.prototype.slice.call(input.files || []).slice(0, 9);
    if (!list.length) { return; }
    e.preventDefault();
    var send = form.querySelector("button[type=submit]"); if (send) { send.disabled = true; }
    Promise.all(list.map(shrink)).then(function (shrunk) {
      var data = new FormData(form);
      data.delete("photos[]");
      shrunk.forEach(function (f) { data.append("photos[]", f, f.name || "photo.jpg"); });
      var token = form.querySelector("input[name=_csrf]");
      return fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRF-Token": token ? token.value : "" } });
    }).then(function (res) {
      if (res.redirected) { window.location.href = res.url; return; }
      return res.text().then(function (html) { document.open(); document.write(html); document.close(); });
    }).catch(function () {
      if (send) { send.disabled = false; }
      previews.textContent = t("complaints.js.send-failed");
    });
  });
})();
