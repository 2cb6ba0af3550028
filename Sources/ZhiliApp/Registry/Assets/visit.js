// The visit form on a phone: 定位 fills the position from the phone, and says so.

(function () {
  "use strict";
  var t = window.zhili.t;
  var button = document.getElementById("locate");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon"), info = document.getElementById("loc-text");
  if (!button || !lat || !lon) { return; }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { info.textContent = t("registry.js.no-geolocation"); return; }
    info.textContent = t("registry.js.locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      info.textContent = t("registry.js.located", Math.round(pos.coords.accuracy));
    }, function () { info.textContent = t("registry.js.location-refused"); }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
