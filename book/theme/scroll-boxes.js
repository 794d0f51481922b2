// A box that scrolls sideways (a display formula or a table wider than
// the column) must be reachable by keyboard and must show that it
// scrolls: such a box gets tabindex="0", a label, and the class
// "scrolls", which book/theme/math.css draws with a shadow at the edge
// that has more. Boxes that fit are left alone, so the Tab key does not
// stop at every formula. Rechecked when the window changes size.
(function () {
  "use strict";
  function mark() {
    var boxes = document.querySelectorAll(".content .math-display, .content .table-wrapper");
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", scrolls);
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("aria-label") && box.classList.contains("math-display")) {
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", "formula, scrolls sideways");
        }
      } else if (box.classList.contains("math-display")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        mark();
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("load", mark);
  window.addEventListener("resize", later);
  if (document.fonts) {
    document.fonts.ready.then(mark);
  }
})();
