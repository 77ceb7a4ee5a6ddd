/* Payout details: show only the fields of the chosen rail (and the bank name only for a bank).
   Without this file every field shows, and the server ignores the ones the choice does not use. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-payout-form]");
  if (!form) { return; }

  function chosen(name) {
    var fields = form.querySelectorAll("input[name='" + name + "']");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type === "hidden" || fields[i].checked) { return fields[i].value; }
    }
    return "";
  }

  function update() {
    var blocks = form.querySelectorAll("[data-shown-for]");
    for (var i = 0; i < blocks.length; i++) {
      var rule = blocks[i].getAttribute("data-shown-for").split("=");
      blocks[i].hidden = chosen(rule[0]) !== rule[1];
    }
  }

  form.addEventListener("change", update);
  update();
})();
