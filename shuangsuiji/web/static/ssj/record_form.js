// The record form's transfer part: shown while a chosen measure hands the problem on, hidden (and disabled, so that
// nothing typed there is sent) otherwise. Without JavaScript the part is always shown and the server decides.
(function () {
  "use strict";
  var part = document.getElementById("transfer-part");
  if (!part) return;
  var needing = part.getAttribute("data-measures").split("|");
  var boxes = document.querySelectorAll('input[name="measures"]');
  function update() {
    var needed = false;
    boxes.forEach(function (box) {
      if (box.checked && needing.indexOf(box.value) !== -1) needed = true;
    });
    part.hidden = !needed;
    part.style.display = needed ? "" : "none"; // .field sets a display that would override [hidden]
    part.disabled = !needed;
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
