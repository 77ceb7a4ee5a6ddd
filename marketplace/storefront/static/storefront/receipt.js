// The receipt's Print button: shown only where JavaScript can print (the browser's menu works anyway).
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
