// finimpact web app: the estimate and the problems follow what you type. The form works
// without this script (every button posts the form); this only saves pressing "Update".
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var timer = null;
  var asked = 0;

  function problemsHtml(list) {
    return list.map(function (p) {
      var row = document.createElement("p");
      row.className = p.warning ? "warning" : "error";
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = p.warning ? "Warning:" : "Problem:";
      row.appendChild(tag);
      row.appendChild(document.createTextNode(" " + p.text));
      return row;
    });
  }

  function apply(answer) {
    document.getElementById("feedback").innerHTML = answer.feedback;
    document.getElementById("status").textContent = answer.status;
    var boxes = form.querySelectorAll("[data-problems-for]");
    Array.prototype.forEach.call(boxes, function (box) {
      var list = answer.errors[box.getAttribute("data-problems-for")] || [];
      box.replaceChildren.apply(box, problemsHtml(list));
      box.hidden = list.length === 0;
      var holder = box.parentElement;
      if (holder) holder.classList.toggle("has-problem", list.length > 0);
      var id = box.id.replace(/-problems$/, "");
      var input = document.getElementById(id);
      if (input && input.tagName !== "FIELDSET" && input.tagName !== "SECTION") {
        if (list.some(function (p) { return !p.warning; })) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
    var costs = form.querySelectorAll("[data-cost-for]");
    Array.prototype.forEach.call(costs, function (el) {
      var cost = answer.costs[el.getAttribute("data-cost-for")];
      el.textContent = cost ? "Cost: " + cost : "";
    });
  }

  function refresh() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch("/live", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer && mine === asked) apply(answer); })
      .catch(function () { /* the Update button still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // the language of the downloads, outside the form (form="proposal-form"): the estimate beside
  // the form is shown in it too
  var lang = document.getElementById("lang");
  if (lang) lang.addEventListener("change", later);
})();
