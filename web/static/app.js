/* Kamerzoek: small enhancements on pages that work without them.
   - "Citeer" copies “passage” (citation) permalink, as prepared by the server in data-copy.
   - On a letter opened from a search: buttons that step through every highlighted word. */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on another host than localhost has no clipboard API: the old way still works.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "copy-buffer";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      document.body.removeChild(area);
      if (copied) { resolve(); } else { reject(new Error("kopiëren mislukt")); }
    });
  }

  function enableCiteButtons() {
    var buttons = document.querySelectorAll("button.cite-button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var status = button.parentElement.querySelector(".cite-status");
      var timer = null;
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(button.getAttribute("data-copy")).then(function () {
          button.classList.add("copied");
          if (status) { status.textContent = "Gekopieerd: citaat, bronvermelding en link."; }
        }, function () {
          if (status) { status.textContent = "Kopiëren lukte niet; selecteer de bronvermelding hierboven."; }
        });
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.classList.remove("copied");
          if (status) { status.textContent = ""; }
        }, 5000);
      });
    });
  }

  function enableHitButtons() {
    var bar = document.querySelector("[data-hitbar]");
    if (!bar) { return; }
    var marks = document.querySelectorAll(".letter-body mark, .footnotes mark");
    var previous = bar.querySelector("[data-hit-prev]");
    var next = bar.querySelector("[data-hit-next]");
    var label = bar.querySelector("[data-hit-label]");
    if (!marks.length || !previous || !next) { return; }
    var current = -1;
    function go(step) {
      if (current >= 0) { marks[current].classList.remove("current"); }
      current = (current + step + marks.length) % marks.length;
      var mark = marks[current];
      mark.classList.add("current");
      mark.scrollIntoView({ block: "center" });
      if (label) { label.textContent = "Woord " + (current + 1) + " van " + marks.length; }
    }
    previous.hidden = false;
    next.hidden = false;
    previous.addEventListener("click", function () { go(current < 0 ? 0 : -1); });
    next.addEventListener("click", function () { go(1); });
  }

  enableCiteButtons();
  enableHitButtons();
}());
