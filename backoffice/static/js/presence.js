// «También lo está viendo …»: refresh who else has this case open (backoffice/presence.py).
(function () {
  var box = document.getElementById("presence");
  if (!box || !box.dataset.url) return;
  var every = (parseInt(box.dataset.every, 10) || 15) * 1000;
  function beat() {
    if (document.hidden) return;
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        box.textContent = data.text || "";
        box.hidden = !data.text;
      })
      .catch(function () {});
  }
  setInterval(beat, every);
  document.addEventListener("visibilitychange", beat);
})();
