// Canned responses (backoffice/canned.py): insert the chosen template, already filled for the
// case, into the chosen text field without a round trip. Without this script the button posts
// the form and the server does the same.
(function () {
  document.querySelectorAll("[data-canned-insert]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var form = button.form;
      var choice = form.querySelector("select[name=plantilla]");
      var option = choice && choice.options[choice.selectedIndex];
      var target = form.querySelector("[name=plantilla_campo]");
      var field = target && form.querySelector("textarea[name='" + target.value + "']");
      if (!option || !option.value || !field) return; // the server explains what is missing
      event.preventDefault();
      var current = field.value.replace(/\s+$/, "");
      field.value = current ? current + "\n\n" + option.dataset.text : option.dataset.text;
      field.dispatchEvent(new Event("input", {bubbles: true}));
      field.focus();
    });
  });
})();
