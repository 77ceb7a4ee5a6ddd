/* Dimsum: progressive enhancements only. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The visitor's time zone, so the server can show dates and tutoring slots in it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
      // Pages that show times (tutoring slots) reload once so the server renders them in this zone;
      // only if the cookie really stuck, or a browser refusing cookies would reload forever.
      var stuck = document.cookie.indexOf("tz=" + encodeURIComponent(zone)) !== -1;
      if (stuck && document.body && document.body.hasAttribute("data-tz-sensitive")) { location.reload(); }
    }
  } catch (e) { /* old browser: the server's guess stands */ }

  // --- Blurhash placeholders (https://github.com/woltapp/blurhash, decode only) ---------------
  var CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
  function decode83(s) { var v = 0; for (var i = 0; i < s.length; i++) { v = v * 83 + CHARS.indexOf(s[i]); } return v; }
  function toLinear(v) { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function toSrgb(v) { v = Math.max(0, Math.min(1, v)); return Math.round((v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055) * 255); }
  function signPow(v, e) { return (v < 0 ? -1 : 1) * Math.pow(Math.abs(v), e); }
  function blurhash(hash, width, height) {
    if (!hash || hash.length < 6) { return null; }
    var size = decode83(hash[0]), nx = (size % 9) + 1, ny = Math.floor(size / 9) + 1;
    if (hash.length !== 4 + 2 * nx * ny) { return null; }
    var maxAc = (decode83(hash[1]) + 1) / 166, colors = [], dc = decode83(hash.substring(2, 6));
    colors.push([toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]);
    for (var i = 1; i < nx * ny; i++) {
      var v = decode83(hash.substring(4 + i * 2, 6 + i * 2));
      colors.push([signPow((Math.floor(v / 361) - 9) / 9, 2) * maxAc, signPow((Math.floor(v / 19) % 19 - 9) / 9, 2) * maxAc, signPow((v % 19 - 9) / 9, 2) * maxAc]);
    }
    var pixels = new Uint8ClampedArray(width * height * 4);
    for (var y = 0; y < height; y++) {
      for (var x = 0; x < width; x++) {
        var r = 0, g = 0, b = 0;
        for (var j = 0; j < ny; j++) {
          for (var k = 0; k < nx; k++) {
            var basis = Math.cos(Math.PI * x * k / width) * Math.cos(Math.PI * y * j / height), c = colors[k + j * nx];
            r += c[0] * basis; g += c[1] * basis; b += c[2] * basis;
          }
        }
        var p = 4 * (x + y * width);
        pixels[p] = toSrgb(r); pixels[p + 1] = toSrgb(g); pixels[p + 2] = toSrgb(b); pixels[p + 3] = 255;
      }
    }
    return pixels;
  }
  function placeholders() {
    var boxes = document.querySelectorAll("[data-blurhash]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], img = box.querySelector("img");
      if (box.getAttribute("data-color")) { box.style.backgroundColor = box.getAttribute("data-color"); }
      if (!img || (img.complete && img.naturalWidth)) { continue; }
      var pixels = blurhash(box.getAttribute("data-blurhash"), 32, 32);
      if (pixels) {
        var canvas = document.createElement("canvas");
        canvas.width = 32; canvas.height = 32; canvas.setAttribute("aria-hidden", "true");
        canvas.getContext("2d").putImageData(new ImageData(pixels, 32, 32), 0, 0);
        box.insertBefore(canvas, box.firstChild);
      }
      img.classList.add("loading");
      img.addEventListener("load", function () { this.classList.remove("loading"); });
      img.addEventListener("error", function () { this.classList.remove("loading"); });
    }
  }

  // --- Copy the prompt --------------------------------------------------------------------------
  function copyButtons() {
    var buttons = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(this.getAttribute("data-copy")), self = this, label = self.textContent;
        if (!target || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(target.textContent).then(function () {
          self.textContent = self.getAttribute("data-copied") || "Copied";
          setTimeout(function () { self.textContent = label; }, 2000);
        });
      });
    }
  }

  // --- Live status: poll a JSON URL; reload the page when it says the state changed ------------
  function polls() {
    var nodes = document.querySelectorAll("[data-poll]");
    for (var i = 0; i < nodes.length; i++) {
      (function (node) {
        var url = node.getAttribute("data-poll"), last = node.getAttribute("data-poll-state"), tries = 0;
        function tick() {
          tries += 1;
          fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (body) {
              if (body && body.state !== last) { location.reload(); return; }
              if (tries < 120) { setTimeout(tick, Math.min(1000 * tries, 5000)); }
            })
            .catch(function () { if (tries < 120) { setTimeout(tick, 5000); } });
        }
        setTimeout(tick, 1000);
      })(nodes[i]);
    }
  }

  // --- Selects that submit their form when changed (a button stays for no-JS) -------------------
  function autosubmit() {
    var selects = document.querySelectorAll("select[data-autosubmit]");
    for (var i = 0; i < selects.length; i++) {
      selects[i].form.setAttribute("data-js-ready", "");
      selects[i].addEventListener("change", function () { this.form.submit(); });
    }
  }

  // --- Confirm destructive actions (cancel a booking, revoke a token) ---------------------------
  function confirms() {
    var forms = document.querySelectorAll("form[data-confirm]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        if (!window.confirm(this.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    }
  }

  // --- Search suggestions from titles and tags, as the visitor types ---------------------------
  function suggestions() {
    var input = document.querySelector("input[data-suggest]");
    if (!input || !input.list || !window.fetch) { return; }
    var timer = null, lastAsked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (!typed || typed === lastAsked || typed.length > 60) { return; }
      timer = setTimeout(function () {
        lastAsked = typed;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (body) {
            var list = input.list;
            while (list.firstChild) { list.removeChild(list.firstChild); }
            (body.suggestions || []).slice(0, 8).forEach(function (text) {
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a nicety */ });
      }, 150);
    });
  }

  // --- Filters: a closed <details> on phones, open on wide screens (CSS shows them there too) --
  function filterPanels() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 761px)").matches) { return; }
    var panels = document.querySelectorAll("details[data-open-wide]");
    for (var i = 0; i < panels.length; i++) { panels[i].open = true; }
  }

  // --- GET forms that leave their empty fields out of the URL (data-drop-empty) ----------------
  // Without JavaScript the browser sends every field, which the server reads the same way.
  function dropEmptyFields() {
    if (!window.FormData || !window.URLSearchParams) { return; }
    var forms = document.querySelectorAll("form[data-drop-empty]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        var params = new URLSearchParams();
        new FormData(this).forEach(function (value, name) {
          if (typeof value === "string" && value.trim() !== "") { params.append(name, value); }
        });
        event.preventDefault();
        var query = params.toString();
        var action = (this.getAttribute("action") || window.location.pathname).split("?")[0];
        window.location.assign(action + (query ? "?" + query : ""));
      });
    }
  }

  function ready() { placeholders(); copyButtons(); polls(); autosubmit(); confirms(); suggestions(); filterPanels(); dropEmptyFields(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
