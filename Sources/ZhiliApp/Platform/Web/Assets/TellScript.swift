/// The map and location button of 有事您说: the phone's position or a tap sets lat/lon.
enum TellScript {
    static let text = #"""
(function () {
  "use strict";
  var el = document.getElementById("tell-map");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon"), info = document.getElementById("loc-text");
  var en = el && el.dataset.lang === "en";
  function set(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    info.textContent = (en ? "Location: " : "位置：") + lat.value + ", " + lon.value;
    if (marker) { marker.setLatLng([la, lo]); } else if (map) { marker = L.circleMarker([la, lo], { radius: 8, color: "#c8102e" }).addTo(map); }
  }
  var map = null, marker = null;
  if (el && typeof L !== "undefined") {
    map = L.map(el);
    fetch("/api/v1/grids.geojson", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var layer = L.geoJSON(fc, { style: { color: "#1f6feb", weight: 1, fillOpacity: 0.08 } }).addTo(map);
      if (fc.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([40.142, 94.662], 13); }
    }).catch(function () { map.setView([40.142, 94.662], 13); });
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
  }
  var button = document.getElementById("locate");
  if (button) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { info.textContent = en ? "This device cannot locate itself; tap the map." : "此设备无法定位，请在地图上点选"; return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        set(pos.coords.latitude, pos.coords.longitude);
        if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 16); }
      }, function () { info.textContent = en ? "Location refused; tap the map." : "定位失败，请在地图上点选"; });
    });
  }
})();
"""#
}
