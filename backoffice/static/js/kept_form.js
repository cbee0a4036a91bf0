// An expired form (backoffice/expired_form.py): the expired page's JSON block #kept-form is kept
// for this tab; back on the page the form was on, what the person typed goes into the form that
// posts to the same address (text, choices and checkboxes; never passwords, files or the
// server's hidden fields, which the new page brings fresh, token included).
(function () {
  "use strict";
  var KEY = "sinac.kept-form";
  var MAX_AGE_MS = 60 * 60 * 1000;
  var node = document.getElementById("kept-form");
  try {
    if (node) {
      var data = JSON.parse(node.textContent);
      data.saved = Date.now();
      sessionStorage.setItem(KEY, JSON.stringify(data));
      return;
    }
    var raw = sessionStorage.getItem(KEY);
    if (!raw) { return; }
    var kept = JSON.parse(raw);
    if (Date.now() - (kept.saved || 0) > MAX_AGE_MS) { sessionStorage.removeItem(KEY); return; }
    if (kept.back !== window.location.pathname) { return; }
    sessionStorage.removeItem(KEY);
  } catch (e) { return; }

  var form = Array.prototype.find.call(document.forms, function (f) {
    return (f.method || "").toLowerCase() === "post" &&
      new URL(f.getAttribute("action") || "", window.location.href).pathname === kept.action;
  });
  if (!form) { return; }
  var next = {};
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || ["password", "hidden", "file", "submit", "button"].indexOf(el.type) !== -1) { return; }
    var values = kept.fields[el.name] || [];
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = values.indexOf(el.value) !== -1;
    } else if (el.tagName === "SELECT" && el.multiple) {
      Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
    } else {
      var i = next[el.name] || 0;
      if (i >= values.length) { return; }
      el.value = values[i];
      next[el.name] = i + 1;
    }
    el.dispatchEvent(new Event("input", {bubbles: true}));
  });
  for (var up = form.parentElement; up; up = up.parentElement) {
    if (up.tagName === "DETAILS") { up.open = true; }
  }
  var note = document.createElement("div");
  note.className = "flash flash-error";
  note.setAttribute("role", "status");
  note.id = "kept-form-note";
  note.textContent = "Recuperamos lo que escribiste antes de que el formulario expirara: revísalo y vuelve a enviarlo.";
  form.insertBefore(note, form.firstChild);
  form.scrollIntoView({block: "start"});
})();
