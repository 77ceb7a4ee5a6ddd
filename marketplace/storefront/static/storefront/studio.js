/* The seller studio's listing editor. Everything works without this file; it only adds:
   live [variable] detection under the prompt, drag and drop of image files onto the upload form,
   and each image's preview status refreshed in place (no reload: typing in the form is kept). */
(function () {
  "use strict";
  var VARIABLE = /\[([^\[\]\n]{1,40})\]/g;  // the same pattern as prompts/cleaning.py

  function variables(text) {
    var seen = [], match;
    VARIABLE.lastIndex = 0;
    while ((match = VARIABLE.exec(text)) !== null) {
      var name = match[1].trim();
      if (name && seen.indexOf(name) < 0) { seen.push(name); }
    }
    return seen;
  }

  function liveVariables() {
    var prompt = document.querySelector("textarea[data-variables]");
    var box = document.getElementById("variables");
    if (!prompt || !box) { return; }
    var list = box.querySelector(".variable-list");
    function render() {
      var names = variables(prompt.value);
      list.textContent = "";
      if (!names.length) {
        var none = document.createElement("span");
        none.className = "meta";
        none.textContent = box.getAttribute("data-none");
        list.appendChild(none);
      }
      names.forEach(function (name) {
        var code = document.createElement("code");
        code.textContent = "[" + name + "]";
        list.appendChild(code);
        list.appendChild(document.createTextNode(" "));
      });
    }
    prompt.addEventListener("input", render);
  }

  // Text models show written example outputs instead of images: open that part when one is chosen.
  function examplesForTextModels() {
    var model = document.getElementById("id_target_model");
    var examples = document.querySelector("details[data-text-models]");
    if (!model || !examples) { return; }
    var textModels = examples.getAttribute("data-text-models").split(" ");
    model.addEventListener("change", function () {
      if (textModels.indexOf(model.value) >= 0) { examples.open = true; }
    });
  }

  function dropzone() {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) { return; }
    var form = zone.closest("form"), input = form.querySelector("input[type=file]");
    zone.hidden = false;
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    form.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        form.submit();
      }
    });
  }

  function update(item, image) {
    var status = item.querySelector("[data-status]"), reason = item.querySelector("[data-reason]");
    status.className = "status " + image.status;
    status.textContent = image.label;
    reason.textContent = image.status === "failed" ? image.reason : "";
    var thumb = item.querySelector(".image-thumb");
    if (image.thumb && !thumb.querySelector("img")) {
      var img = document.createElement("img");
      img.src = image.thumb; img.alt = ""; img.width = 64; img.height = 64;
      thumb.textContent = "";
      thumb.appendChild(img);
    }
  }

  function statusPoll() {
    var section = document.querySelector("[data-studio-status]");
    if (!section || !section.hasAttribute("data-waiting")) { return; }
    var url = section.getAttribute("data-studio-status"), tries = 0;
    function tick() {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          body.images.forEach(function (image) {
            var item = section.querySelector('[data-image-id="' + image.id + '"]');
            if (item) { update(item, image); }
          });
          if (body.waiting && tries < 120) { setTimeout(tick, Math.min(1000 * tries, 5000)); }
        })
        .catch(function () { if (tries < 120) { setTimeout(tick, 5000); } });
    }
    setTimeout(tick, 1000);
  }

  function ready() { liveVariables(); examplesForTextModels(); dropzone(); statusPoll(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
