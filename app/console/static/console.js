// Progressive enhancement only: every page works without it.
(function () {
  "use strict";

  // Ask before irreversible decisions.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Narrow screens show tables as stacked cards; each cell names its column.
  function labelCells() {
    document.querySelectorAll(".table-wrap table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (heads[index] && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  }

  // A failed action comes back with its error summary inside the form: focus it there. After
  // the load, because scrolling to the URL's fragment (#act-…) resets the focus.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      setTimeout(function () { summary.focus(); }, 0);
    }
  }

  // Typed text survives a session that ends: kept per page in sessionStorage until the form
  // is sent, and put back when the same page opens again (after logging in once more).
  var DRAFT_PREFIX = "zerovisit-draft:";
  function draftKey(form) {
    return DRAFT_PREFIX + location.pathname + "|" + (form.getAttribute("action") || "") +
      "|" + (form.querySelector("[name=action]") || { value: "" }).value;
  }
  function keepDrafts() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      var key = draftKey(form);
      var saved = sessionStorage.getItem(key);
      if (saved && !form.querySelector("[data-error-summary]")) {
        var values = JSON.parse(saved);
        Object.keys(values).forEach(function (name) {
          var input = form.querySelector("textarea[name='" + name + "'], input[type=text][name='" + name + "'], input:not([type])[name='" + name + "']");
          if (input && !input.value) {
            input.value = values[name];
          }
        });
      }
      form.addEventListener("input", function () {
        var values = {};
        form.querySelectorAll("textarea, input[type=text], input:not([type])").forEach(function (input) {
          if (input.name && input.value) {
            values[input.name] = input.value;
          }
        });
        sessionStorage.setItem(key, JSON.stringify(values));
      });
      form.addEventListener("submit", function () {
        sessionStorage.removeItem(key);
      });
    });
  }

  // Warn before the idle logout, with a way to continue that keeps the session.
  function watchIdle() {
    var body = document.body;
    var idle = Number(body.getAttribute("data-idle-seconds"));
    var lead = Number(body.getAttribute("data-warn-seconds"));
    var dialog = document.getElementById("session-warning");
    if (!idle || !dialog) {
      return;
    }
    var warnTimer;
    var endTimer;
    function arm() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(function () {
        var opener = document.activeElement;
        dialog.showModal();
        dialog.addEventListener("close", function () {
          if (opener && opener.focus) {
            opener.focus();
          }
        }, { once: true });
      }, Math.max(idle - lead, 1) * 1000);
      endTimer = setTimeout(function () {
        document.getElementById("session-warning-text").textContent =
          "由于长时间未操作，您已退出登录。已填写的内容已保存在本页，重新登录后回到本页即可继续。";
        document.getElementById("session-continue").hidden = true;
      }, idle * 1000);
    }
    document.getElementById("session-continue").addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.ok) {
            dialog.close();
            arm();
          } else {
            location.reload();
          }
        });
    });
    arm();
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelCells();
    keepDrafts();
    watchIdle();
  });
  window.addEventListener("load", focusErrorSummary);
})();
