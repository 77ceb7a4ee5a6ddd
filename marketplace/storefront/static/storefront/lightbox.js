/* Dimsum: full-size viewer for a listing's example images. Without this file each image is a
   plain link to its largest preview. Keys: left/right arrows move, Escape closes; swipe on touch. */
(function () {
  "use strict";
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-lightbox]"));
  if (!links.length || typeof HTMLDialogElement === "undefined") { return; }
  var labels = document.querySelector("[data-lightbox-labels]");
  function label(name, fallback) { return (labels && labels.getAttribute("data-" + name)) || fallback; }

  var dialog = document.createElement("dialog"), index = 0, startX = null, opener = null;
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", label("title", "Example images"));
  var figure = document.createElement("figure"), image = document.createElement("img"), caption = document.createElement("figcaption");
  figure.appendChild(image); figure.appendChild(caption);
  function button(cls, text, name, action) {
    var b = document.createElement("button");
    b.type = "button"; b.className = cls; b.textContent = text; b.setAttribute("aria-label", name);
    b.addEventListener("click", action);
    return b;
  }
  var previous = button("lightbox-prev", "‹", label("previous", "Previous image"), function () { show(index - 1); });
  var next = button("lightbox-next", "›", label("next", "Next image"), function () { show(index + 1); });
  var close = button("lightbox-close", "×", label("close", "Close"), function () { dialog.close(); });
  dialog.appendChild(figure); dialog.appendChild(previous); dialog.appendChild(next); dialog.appendChild(close);
  document.body.appendChild(dialog);

  function show(i) {
    index = (i + links.length) % links.length;
    var link = links[index], thumb = link.querySelector("img");
    image.src = link.href;
    image.alt = thumb ? thumb.alt : "";
    image.width = +link.getAttribute("data-width") || 0;
    image.height = +link.getAttribute("data-height") || 0;
    caption.textContent = (index + 1) + " / " + links.length;
    previous.hidden = next.hidden = links.length < 2;
  }
  links.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      event.preventDefault();
      opener = link;
      show(i);
      dialog.showModal();
      close.focus();
    });
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
    else if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
    /* Escape: the dialog closes itself. */
  });
  dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
  dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
  dialog.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; }, { passive: true });
  dialog.addEventListener("touchend", function (event) {
    if (startX === null) { return; }
    var dx = event.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 40) { show(dx < 0 ? index + 1 : index - 1); }
  });
})();
