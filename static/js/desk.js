/* The moderation queue (templates/admin/comments/queue.html), admin only.

   Without this file every button posts the form and the page comes back at the next card.
   With it: a decision is sent with fetch and its card leaves at once (requests go one after
   another, in order; a refused one brings its card back with the reason), the next card
   takes the focus, and the keyboard works: j / k next / previous, a approve, s spam,
   r remove, t approve and trust, d keep (reported tab), x select. */
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var keys = document.getElementById("desk-keys");
  var live = document.getElementById("desk-live");
  var summary = document.getElementById("desk-summary");
  var selectAll = document.getElementById("desk-all");
  var pending = Promise.resolve();
  var inflight = 0;
  if (keys) {
    keys.hidden = false;
  }

  function cards() {
    return Array.prototype.slice.call(form.querySelectorAll(".desk-card:not([hidden])"));
  }

  function current() {
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".desk-card") : null;
    if (card && !card.hidden) {
      return card;
    }
    return form.querySelector(".desk-card.is-current:not([hidden])");
  }

  function show(card) {
    if (!card) {
      return;
    }
    cards().forEach(function (other) {
      other.classList.toggle("is-current", other === card);
    });
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function neighbour(card, step) {
    var list = cards();
    var at = list.indexOf(card);
    return list[at + step] || null;
  }

  function say(text) {
    if (live) {
      live.textContent = text;
    }
  }

  function leave(gone) {
    // Hide the decided cards and put the focus on the card after them (or before, at the end).
    var list = cards();
    var focusNext = null;
    var hidden = [];
    list.forEach(function (card, index) {
      if (gone.indexOf(card.dataset.id) === -1) {
        return;
      }
      card.hidden = true;
      hidden.push(card);
      var box = card.querySelector(".desk-select");
      if (box) {
        box.checked = false;
      }
      focusNext = null;
      for (var i = index + 1; i < list.length; i++) {
        if (gone.indexOf(list[i].dataset.id) === -1) {
          focusNext = list[i];
          break;
        }
      }
      if (!focusNext) {
        for (var j = index - 1; j >= 0; j--) {
          if (gone.indexOf(list[j].dataset.id) === -1) {
            focusNext = list[j];
            break;
          }
        }
      }
    });
    if (focusNext) {
      show(focusNext);
    }
    return hidden;
  }

  function update(data) {
    if (summary && data.summary) {
      summary.textContent = data.summary.text;
    }
    var counts = { held: data.summary.waiting, reported: data.summary.reported_comments };
    document.querySelectorAll(".desk-tabs [data-tab]").forEach(function (tab) {
      var count = tab.querySelector(".desk-count");
      if (count && counts[tab.dataset.tab] !== undefined) {
        count.textContent = counts[tab.dataset.tab];
      }
    });
    say(data.message);
  }

  function send(submitter, gone) {
    var body = new FormData(form, submitter);
    var hidden = leave(gone);
    inflight += 1;
    pending = pending.then(function () {
      return fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status + " " + response.statusText);
          }
          return response.json();
        })
        .then(function (data) {
          update(data);
          hidden.forEach(function (card) {
            card.remove();
          });
        })
        .catch(function (error) {
          hidden.forEach(function (card) {
            card.hidden = false;
          });
          if (hidden[0]) {
            show(hidden[0]);
          }
          say("Not saved (" + error.message + "). Try again, or reload the page.");
        })
        .then(function () {
          inflight -= 1;
          if (!inflight && !cards().length) {
            // Every decision is saved and the page is done: load the next page (or the
            // empty queue). Never while a decision is on its way: leaving would cancel it.
            window.location.assign(window.location.pathname + window.location.search);
          }
        });
    });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || (submitter.name !== "decision" && submitter.name !== "bulk")) {
      return;
    }
    event.preventDefault();
    var gone;
    if (submitter.name === "decision") {
      gone = [submitter.value.split(":")[1]];
    } else if (selectAll && selectAll.checked) {
      gone = cards().map(function (card) {
        return card.dataset.id;
      });
    } else {
      gone = Array.prototype.slice
        .call(form.querySelectorAll(".desk-select:checked"))
        .map(function (box) {
          return box.value;
        });
    }
    if (!gone.length) {
      say("Select at least one comment first.");
      return;
    }
    if (selectAll) {
      selectAll.checked = false;
    }
    send(submitter, gone);
  });

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      form.querySelectorAll(".desk-select").forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("desk-select") && !event.target.checked) {
        selectAll.checked = false;
      }
    });
  }

  form.addEventListener("focusin", function (event) {
    var card = event.target.closest(".desk-card");
    if (card) {
      cards().forEach(function (other) {
        other.classList.toggle("is-current", other === card);
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    var typing =
      target.isContentEditable ||
      target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && target.type !== "checkbox");
    if (typing) {
      return;
    }
    var key = event.key.toLowerCase();
    var card = current();
    if (key === "j" || key === "k") {
      event.preventDefault();
      var list = cards();
      show(card ? neighbour(card, key === "j" ? 1 : -1) || card : list[0]);
      return;
    }
    if (!card) {
      return;
    }
    if (key === "x") {
      event.preventDefault();
      var box = card.querySelector(".desk-select");
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var button = card.querySelector('button[data-shortcut="' + key + '"]');
    if (button) {
      event.preventDefault();
      form.requestSubmit(button);
    }
  });

  // After a decision without fetch the page comes back at #card-<next>: focus that card.
  // Otherwise the first card is current (the keys act on it) without taking the focus.
  var start = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  if (start && start.classList.contains("desk-card")) {
    show(start);
  } else if (cards()[0]) {
    cards()[0].classList.add("is-current");
  }
})();
