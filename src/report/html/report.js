// custody HTML report: sorting, filtering and the row count. The page works without it.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var total = rows.length;
  var severity = document.getElementById("f-severity");
  var status = document.getElementById("f-status");
  var search = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var texts = null; // each row's text, lower case, read at the first search
  document.getElementById("controls").hidden = false;
  document.getElementById("f-static").hidden = true;

  function plural(n) { return n === 1 ? " finding" : " findings"; }
  function apply() {
    var s = severity.value, t = status.value, q = search.value.trim().toLowerCase();
    if (q && !texts) {
      texts = [];
      rows.forEach(function (r) { texts[r.__index] = r.textContent.toLowerCase(); });
    }
    // A whole entity name (`vendor/tessaly-crm`, what selecting a graph node writes)
    // matches that entity's findings only; any other text, anywhere in a row.
    var exact = q && entities.has(q);
    var shown = 0;
    for (var i = 0; i < total; i++) {
      var r = rows[i];
      var ok = (!s || r.getAttribute("data-severity") === s) &&
        (!t || r.getAttribute("data-status") === t) &&
        (!q || (exact ? entityOf(r) === q : texts[r.__index].indexOf(q) >= 0));
      r.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown === total
      ? "Showing all " + total + plural(total)
      : "Showing " + shown + " of " + total + plural(total);
  }
  rows.forEach(function (r, i) { r.__index = i; });
  function entityOf(r) { return (r.cells[2].getAttribute("data-sort") || "").toLowerCase(); }
  var entities = new Set(rows.map(entityOf));

  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    th.querySelector("button").addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var numeric = th.getAttribute("data-key") === "severity";
      var keyed = rows.map(function (r) {
        var v = r.cells[col].getAttribute("data-sort") || "";
        return { row: r, key: numeric ? Number(v) : v.toLowerCase() };
      });
      keyed.sort(function (a, b) {
        var c = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
        return (asc ? c : -c) || a.row.__index - b.row.__index;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k.row); });
      body.appendChild(frag);
      rows = keyed.map(function (k) { return k.row; });
    });
  });

  severity.addEventListener("change", apply);
  status.addEventListener("change", apply);
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, total > 2000 ? 200 : 0);
  });

  // Selecting an entity in the graph filters the findings to it.
  Array.prototype.forEach.call(document.querySelectorAll("#graph a[data-entity]"), function (a) {
    a.addEventListener("click", function () {
      search.value = a.getAttribute("data-entity");
      severity.value = "";
      status.value = "";
      apply();
    });
  });
  apply();
})();
