// Tables that the server did not label cell by cell (DataTable does) get each cell's column
// name from the header, so that on a phone, where a row becomes a card, every value says
// what it is.

(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th, tr:first-child > th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (td.tagName === "TD" && !td.hasAttribute("data-label") && heads[i]) { td.setAttribute("data-label", heads[i]); }
      });
    });
  });
})();
