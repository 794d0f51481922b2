// The head view of chapter 11: this book's own script, no libraries.
//
// Every <div class="headview" data-source="ID"> gets an interactive view
// of the JSON in <script type="application/json" id="ID">, which the
// chapter includes from a locked snapshot: queries on the left, keys on
// the right, one line per pair whose opacity is the weight. Hovering or
// focusing a token keeps only its lines and prints its weights; a select
// picks the head. Without JavaScript the div keeps its static figure.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var STEP = 24;

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function build(box) {
    var source = document.getElementById(box.getAttribute("data-source"));
    if (!source) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return; // keep the static figure
    }
    var n = Math.max(data.queries.length, data.keys.length);
    // As wide as the column allows, up to 480 px: on a narrow screen the
    // lines get shorter while the tokens keep their size.
    var width = Math.max(300, Math.min(480, box.clientWidth || 480));
    var height = 16 + STEP * n;
    var left = 120;
    var right = width - 120;

    var controls = document.createElement("div");
    controls.className = "headview-controls";
    var label = document.createElement("label");
    label.textContent = "Head: ";
    var select = document.createElement("select");
    data.heads.forEach(function (head, h) {
      var option = document.createElement("option");
      option.value = String(h);
      option.textContent = head.name;
      select.appendChild(option);
    });
    label.appendChild(select);
    controls.appendChild(label);

    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: String(width),
      height: String(height),
      role: "img",
      "aria-label": data.title + ": queries on the left, keys on the right"
    });
    var lines = el("g", { "class": "headview-lines" });
    svg.appendChild(lines);
    var readout = document.createElement("p");
    readout.className = "headview-readout";
    readout.setAttribute("aria-live", "polite");

    var y = function (i) {
      return 14 + STEP * i;
    };
    var tokens = [];
    function token(side, i, text) {
      var t = el(
        "text",
        {
          x: String(side === "q" ? left - 8 : right + 8),
          y: String(y(i) + 5),
          "text-anchor": side === "q" ? "end" : "start",
          tabindex: "0",
          "class": "headview-token"
        },
        text
      );
      t.addEventListener("mouseenter", function () { isolate(side, i); });
      t.addEventListener("focus", function () { isolate(side, i); });
      t.addEventListener("mouseleave", function () { isolate(null, -1); });
      t.addEventListener("blur", function () { isolate(null, -1); });
      svg.appendChild(t);
      tokens.push({ side: side, i: i, node: t });
    }
    data.queries.forEach(function (text, i) { token("q", i, text); });
    data.keys.forEach(function (text, j) { token("k", j, text); });

    function weights() {
      return data.heads[Number(select.value)].weights;
    }

    function draw() {
      while (lines.firstChild) {
        lines.removeChild(lines.firstChild);
      }
      weights().forEach(function (row, i) {
        row.forEach(function (w, j) {
          lines.appendChild(el("line", {
            x1: String(left), y1: String(y(i)),
            x2: String(right), y2: String(y(j)),
            "stroke-opacity": String(w),
            "data-q": String(i), "data-k": String(j)
          }));
        });
      });
      isolate(null, -1);
    }

    function isolate(side, index) {
      var w = weights();
      Array.prototype.forEach.call(lines.childNodes, function (line) {
        var i = Number(line.getAttribute("data-q"));
        var j = Number(line.getAttribute("data-k"));
        var keep = side === null ||
          (side === "q" && i === index) || (side === "k" && j === index);
        line.style.display = keep ? "" : "none";
      });
      tokens.forEach(function (t) {
        t.node.classList.toggle(
          "headview-active", t.side === side && t.i === index);
      });
      if (side === null) {
        readout.textContent = "Hover over or focus a token to see its weights.";
        return;
      }
      var parts = [];
      if (side === "q") {
        w[index].forEach(function (x, j) {
          parts.push(data.keys[j] + " " + x.toFixed(4));
        });
        readout.textContent = "\u201c" + data.queries[index] +
          "\u201d reads: " + parts.join(", ");
      } else {
        w.forEach(function (row, i) {
          parts.push(data.queries[i] + " " + row[index].toFixed(4));
        });
        readout.textContent = "\u201c" + data.keys[index] +
          "\u201d is read by: " + parts.join(", ");
      }
    }

    select.addEventListener("change", draw);
    // The drawing for readers without JavaScript: the figure's pictures
    // go, its numbered caption stays above the interactive view.
    var fallbacks = box.querySelectorAll("a.figure-link, img");
    Array.prototype.forEach.call(fallbacks, function (el) {
      if (!el.closest("a.figure-link") || el.matches("a.figure-link")) {
        el.hidden = true;
      }
    });
    box.appendChild(controls);
    box.appendChild(svg);
    box.appendChild(readout);
    draw();
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("div.headview[data-source]"), build);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
