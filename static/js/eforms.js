/* E-form enhancements (templates/eforms/_fields.html). The forms work without this script:
   it only saves round trips.
   1. Address fields: choosing a province refills the ward list from
      GET /eforms/places/<province>/wards, so the "show wards" button is not needed.
   2. Person fields: a complete 12-digit ID is looked up with GET /eforms/person and the name
      and date of birth are announced (aria-live); when the register is down, the name and date
      of birth inputs are revealed.
   3. Fields with a visibility condition on an answer of the same page are shown or hidden as
      that answer changes.
   No inline code: loaded with <script src defer>, compatible with a strict CSP. */
(function () {
  "use strict";

  var ID_PATTERN = /^\d{12}$/;

  function hide(element) { element.style.display = "none"; }
  function show(element) { element.style.display = ""; }

  function option(value, label) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    return element;
  }

  function getJson(url, signal) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: signal })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          return { status: response.status, body: body };
        });
      });
  }

  /* 1. Province → wards */
  function setUpAddress(provinceSelect) {
    var wardSelect = document.getElementById(provinceSelect.getAttribute("data-ward-select"));
    var refresh = provinceSelect.parentNode.querySelector("[data-eforms-refresh]");
    if (!wardSelect) { return; }
    if (refresh) { hide(refresh); }

    function fill(wards) {
      wardSelect.textContent = "";
      if (!wards) {
        wardSelect.appendChild(option("", wardSelect.getAttribute("data-first-label")));
        return;
      }
      wardSelect.appendChild(option("", wardSelect.getAttribute("data-choose-label")));
      wards.forEach(function (ward) { wardSelect.appendChild(option(String(ward.code), ward.name)); });
    }

    var latest = 0;
    provinceSelect.addEventListener("change", function () {
      var code = provinceSelect.value;
      var request = ++latest;  // a late answer for an earlier province must not win
      if (!code) { fill(null); return; }
      // Clear the old province's wards at once, and say the list is loading.
      wardSelect.textContent = "";
      wardSelect.appendChild(option("", "…"));
      wardSelect.setAttribute("aria-busy", "true");
      var url = provinceSelect.getAttribute("data-wards-url").replace(/\/0\/wards$/, "/" + encodeURIComponent(code) + "/wards");
      getJson(url).then(function (answer) {
        if (request !== latest) { return; }
        if (answer.status !== 200 || !Array.isArray(answer.body)) { throw new Error("wards"); }
        fill(answer.body);
      }).catch(function () {
        if (request !== latest) { return; }
        // Fall back to the server-rendered way: the button reloads the step with the wards.
        fill(null);
        if (refresh) { show(refresh); }
      }).then(function () {
        if (request === latest) { wardSelect.removeAttribute("aria-busy"); }
      });
    });
  }

  /* 2. Person by ID */
  function formatDate(iso) {
    var parts = String(iso || "").split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : "";
  }

  function setUpPerson(fieldset) {
    var input = fieldset.querySelector("input[name$='-personal_id']");
    var found = fieldset.querySelector(".person-found");
    var typed = fieldset.querySelector("[data-person-typed]");
    var pending = null;
    if (!input || !found) { return; }

    function say(text) { found.textContent = text; }

    function lookUp() {
      var personalId = input.value.replace(/\s+/g, "");
      if (pending) { pending.abort(); pending = null; }
      if (!ID_PATTERN.test(personalId)) { say(""); return; }
      pending = new AbortController();
      var url = fieldset.getAttribute("data-person-url") + "?personal_id=" + encodeURIComponent(personalId);
      getJson(url, pending.signal).then(function (answer) {
        pending = null;
        if (answer.status === 200 && answer.body) {
          say(fieldset.getAttribute("data-found-template")
            .replace("{name}", answer.body.full_name)
            .replace("{date}", formatDate(answer.body.date_of_birth)));
        } else if (answer.status === 404) {
          say(fieldset.getAttribute("data-msg-not-found"));
        } else if (answer.status === 400) {
          say(fieldset.getAttribute("data-msg-malformed"));
        } else if (answer.status === 503) {
          say(fieldset.getAttribute("data-msg-unavailable"));
          if (typed) { typed.hidden = false; }
        } else {
          say("");
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        pending = null;
        say("");
      });
    }

    input.addEventListener("input", lookUp);
    if (ID_PATTERN.test(input.value.replace(/\s+/g, "")) && !found.textContent.trim()) { lookUp(); }
  }

  /* 3. Conditional reveal */
  function currentAnswer(form, name) {
    var controls = form.querySelectorAll("[name='" + name + "']");
    if (!controls.length) { return null; }
    for (var i = 0; i < controls.length; i += 1) {
      var control = controls[i];
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { return control.value; }
      } else {
        return control.value;
      }
    }
    return "";
  }

  function setUpConditions(form) {
    var dependents = form.querySelectorAll("[data-visible-if-field]");
    if (!dependents.length) { return; }
    function update() {
      Array.prototype.forEach.call(dependents, function (group) {
        var answer = currentAnswer(form, group.getAttribute("data-visible-if-field"));
        if (answer === null) { return; } // decided on an earlier page, by the server
        group.hidden = answer !== group.getAttribute("data-visible-if-equals");
      });
    }
    form.addEventListener("change", update);
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-eforms-province]"), setUpAddress);
    Array.prototype.forEach.call(document.querySelectorAll("[data-eforms-person]"), setUpPerson);
    Array.prototype.forEach.call(document.querySelectorAll("form"), setUpConditions);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
