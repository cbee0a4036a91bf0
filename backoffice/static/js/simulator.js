// Phone simulator: send as a phone, poll the conversation (no framework, no CDN).
(function () {
  "use strict";
  var root = document.getElementById("simulator");
  if (!root) { return; }
  var phone = document.getElementById("sim-phone");
  var channel = document.getElementById("sim-channel");
  var log = document.getElementById("sim-log");
  var form = document.getElementById("sim-form");
  var body = document.getElementById("sim-body");
  var error = document.getElementById("sim-error");
  var state = document.getElementById("sim-state");
  var photo = document.getElementById("sim-photo");
  var photoName = document.getElementById("sim-photo-name");
  var CHANNELS = { whatsapp: "WhatsApp", sms: "SMS" };
  var lastRendered = "";
  var timer = null;

  function render(messages) {
    var key = JSON.stringify(messages);
    if (key === lastRendered) { return; }
    lastRendered = key;
    log.textContent = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = "sim-msg sim-" + m.from;
      var text = document.createElement("div");
      text.className = "sim-text";
      text.textContent = m.body || ((m.media && m.media.length) ? "" : "(sin texto)");
      (m.media || []).forEach(function (item) {
        if (item.url && item.content_type.indexOf("image/") === 0) {
          var img = document.createElement("img");
          img.className = "sim-photo";
          img.src = item.url;
          img.alt = "Foto enviada";
          li.appendChild(img);
        } else {
          var note = document.createElement("div");
          note.className = "sim-attachment";
          note.textContent = item.content_type.indexOf("image/") === 0 ? "📎 Foto adjunta" : "📎 Archivo adjunto";
          li.appendChild(note);
        }
      });
      var meta = document.createElement("div");
      meta.className = "sim-meta";
      var when = m.at ? new Date(m.at).toLocaleTimeString("es-MX") : "";
      meta.textContent = (m.from === "bot" ? "SINAC · " : "Tú · ") + (CHANNELS[m.channel] || m.channel) + " · " + when +
        (m.status ? " · " + m.status : "");
      li.appendChild(text);
      li.appendChild(meta);
      log.appendChild(li);
    });
    log.scrollTop = log.scrollHeight;
  }

  function refresh() {
    var url = root.dataset.messagesUrl + "?phone=" + encodeURIComponent(phone.value) +
      "&channel=" + encodeURIComponent(channel.value);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.messages) { render(data.messages); }
      var notes = [];
      if (data.contact && data.contact.opt_out) { notes.push("Este número está dado de baja (escribe ALTA)."); }
      if (data.contact && data.contact.handoff) { notes.push("Conversación en espera de una persona."); }
      if (data.error) { notes.push(data.error); }
      state.textContent = notes.join(" ");
    }).catch(function () { state.textContent = "No se pudo actualizar la conversación."; });
  }

  function schedule() {
    if (timer) { clearInterval(timer); }
    timer = setInterval(refresh, 1500);
    refresh();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = body.value.trim();
    var file = photo && photo.files.length ? photo.files[0] : null;
    if (!text && !file) { return; }
    error.textContent = "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    state.textContent = "Enviando…";
    var payload = new FormData();
    payload.append("phone", phone.value);
    payload.append("channel", channel.value);
    payload.append("body", text);
    if (file) { payload.append("photo", file); }
    fetch(root.dataset.sendUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf },
      body: payload
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.ok) { error.textContent = data.error || "No se pudo enviar."; return; }
      body.value = "";
      if (photo) { photo.value = ""; photoName.textContent = ""; }
      refresh();
    }).catch(function () { error.textContent = "No se pudo enviar."; })
      .then(function () { button.disabled = false; body.focus(); });
  });

  body.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  if (photo) {
    photo.addEventListener("change", function () {
      photoName.textContent = photo.files.length ? "Foto lista para enviar: " + photo.files[0].name : "";
    });
  }
  phone.addEventListener("change", function () { lastRendered = ""; schedule(); });
  document.getElementById("sim-new-phone").addEventListener("click", function () {
    // A fresh Mexico City mobile number: a first contact, greeting and aviso de privacidad included.
    var digits = "";
    for (var i = 0; i < 8; i++) { digits += Math.floor(Math.random() * 10); }
    phone.value = "+5255" + digits;
    lastRendered = "";
    schedule();
    body.focus();
  });
  channel.addEventListener("change", function () { lastRendered = ""; schedule(); });
  schedule();
})();
