// hirecast progressive enhancement. Every form works without this file; the server
// remains the authority on what is valid. No inline scripts (CSP).
(function () {
  "use strict";

  // Live character counter: <input data-maxlength="150" data-counter-text="{n} of {max} characters">.
  function setupCounter(input) {
    var max = parseInt(input.getAttribute("data-maxlength"), 10);
    var template = input.getAttribute("data-counter-text") || "{n} / {max}";
    var out = document.createElement("p");
    out.className = "counter";
    out.id = input.id + "-counter";
    out.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", out);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(out.id);
    input.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var n = Array.from(input.value).length;
      out.textContent = template.replace("{n}", n).replace("{max}", max);
      out.classList.toggle("over", n > max);
    }
    input.addEventListener("input", update);
    update();
  }

  function clearJsError(field) {
    var old = field.parentNode.querySelector(".field-error.js-error");
    if (old) old.remove();
  }

  // Required fields checked before submit, with the message next to the field.
  function setupValidation(form) {
    var message = form.getAttribute("data-required-message") || "Required";
    form.addEventListener("submit", function (ev) {
      var first = null;
      form.querySelectorAll("[required]").forEach(function (field) {
        clearJsError(field);
        if (field.value.trim() === "") {
          var p = document.createElement("p");
          p.className = "field-error js-error";
          p.id = field.id + "-js-error";
          p.textContent = message;
          field.insertAdjacentElement("afterend", p);
          field.setAttribute("aria-invalid", "true");
          if (!first) first = field;
        }
      });
      if (first) {
        ev.preventDefault();
        first.focus();
      }
    });
    form.addEventListener("input", function (ev) {
      var field = ev.target;
      if (field.hasAttribute && field.hasAttribute("required") && field.value.trim() !== "") {
        clearJsError(field);
        if (!field.closest(".has-error")) field.removeAttribute("aria-invalid");
      }
    });
  }

  // Copy buttons: <button data-copy="element-id" data-copied-text="Copied">.
  function setupCopy(button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      navigator.clipboard.writeText(target.value || target.textContent).then(function () {
        button.textContent = button.getAttribute("data-copied-text") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  // The editor's values as the API's OpeningInput (the same mapping the server applies to the form).
  function openingInput(form) {
    var data = new FormData(form);
    var get = function (k) { return (data.get(k) || "").toString(); };
    var list = function (k) { return get(k).split(/[,\n]/).map(function (s) { return s.trim(); }).filter(Boolean); };
    var amount = function (k) {
      var raw = get(k).replace(/[\s\u00a0\u202f]/g, "");
      if (raw === "") return null;
      return /^\d+$/.test(raw) ? Number(raw) : NaN;
    };
    var input = {
      title: get("title"), company: get("company"), department: get("department") || null,
      city: get("city") || null, country: get("country"), remote_policy: get("remote_policy"),
      employment_type: get("employment_type"), required_skills: list("required_skills"),
      nice_to_have_skills: list("nice_to_have_skills"), language: get("language"),
      description: get("description"), valid_through: get("valid_through") || null, hiring_manager_ids: []
    };
    var min = amount("salary_min"), max = amount("salary_max");
    if (Number.isNaN(min) || Number.isNaN(max)) return null;
    if (min !== null || max !== null) {
      input.salary = { min: min, max: max, currency: get("salary_currency"), period: get("salary_period") };
    }
    return input;
  }

  function renderPreviews(section, previews) {
    var cards = section.querySelector("#preview-cards");
    var labels = { x: "X", mastodon: "Mastodon", bluesky: "Bluesky", linkedin: "LinkedIn" };
    cards.textContent = "";
    previews.forEach(function (c) {
      var card = document.createElement("article");
      card.className = "preview-card";
      card.setAttribute("data-network", c.network);
      var h = document.createElement("h3");
      h.textContent = (labels[c.network] || c.network) + (c.account_name ? " · " + c.account_name : "");
      card.appendChild(h);
      c.posts.forEach(function (p) {
        var pre = document.createElement("pre");
        pre.className = "post-text";
        pre.textContent = p.text;
        var count = document.createElement("p");
        count.className = "post-count" + (p.fits ? "" : " over");
        count.textContent = p.length + " / " + p.limit;
        card.appendChild(pre);
        card.appendChild(count);
      });
      if (c.dropped.length) {
        var d = document.createElement("p");
        d.className = "dropped";
        d.textContent = section.getAttribute("data-dropped-text") + " " + c.dropped.join(", ");
        card.appendChild(d);
      }
      cards.appendChild(card);
    });
  }

  // Live post preview: asks the server to compose the posts as the recruiter types.
  function setupPreview(section) {
    var form = document.getElementById("opening-form");
    if (!form || !window.fetch) return;
    var status = section.querySelector("#preview-status");
    var timer = null, seq = 0;
    function refresh() {
      var input = openingInput(form);
      if (!input) { status.textContent = section.getAttribute("data-invalid-text"); section.classList.add("stale"); return; }
      var mine = ++seq;
      fetch(section.getAttribute("data-endpoint"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ opening: input })
      }).then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, body: body }; });
      }).then(function (r) {
        if (mine !== seq) return;
        if (r.ok) {
          status.textContent = "";
          section.classList.remove("stale");
          renderPreviews(section, r.body.previews);
        } else {
          status.textContent = section.getAttribute("data-invalid-text");
          section.classList.add("stale");
        }
      }).catch(function () { /* offline: keep the last preview */ });
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  }


  // Shortlist review from the keyboard: j/k move the cursor row, a advances it, r opens its
  // rejection (reason first), h holds, o or Enter opens the candidate, x selects for bulk.
  function setupReview(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-candidate]"));
    if (!rows.length) return;
    var at = Math.min(parseInt(table.getAttribute("data-cursor") || "0", 10) || 0, rows.length - 1);
    function select(i, focus) {
      rows[at].classList.remove("current");
      rows[at].removeAttribute("aria-current");
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add("current");
      rows[at].setAttribute("aria-current", "true");
      if (focus) { rows[at].focus(); rows[at].scrollIntoView({ block: "nearest" }); }
    }
    select(at, false);
    rows.forEach(function (row, i) { row.addEventListener("click", function () { select(i, false); }); });
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var tag = (ev.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea" || ev.target.isContentEditable) return;
      var row = rows[at], form;
      switch (ev.key) {
        case "j": select(at + 1, true); break;
        case "k": select(at - 1, true); break;
        case "a": form = row.querySelector("form.advance-form"); if (form) form.requestSubmit(); break;
        case "h": form = row.querySelector("form.hold-form"); if (form) form.requestSubmit(); break;
        case "r": {
          var d = row.querySelector("details.reject");
          if (d) { d.open = true; d.querySelector("select").focus(); }
          break;
        }
        case "x": { var box = row.querySelector("input.select"); if (box) box.checked = !box.checked; break; }
        case "Enter": if (ev.target !== row && ev.target !== document.body) return; // falls through
        case "o": { var link = row.querySelector("a.candidate-link"); if (link) window.location.href = link.href; break; }
        default: return;
      }
      ev.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var review = document.querySelector("table[data-review-list]");
    if (review) setupReview(review);
    document.querySelectorAll("[data-maxlength]").forEach(setupCounter);
    var preview = document.getElementById("post-preview");
    if (preview) setupPreview(preview);
    document.querySelectorAll("form.js-validate").forEach(setupValidation);
    document.querySelectorAll("[data-copy]").forEach(setupCopy);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
