// Newsroom progressive enhancement. Every page works without this file.
(function () {
  "use strict";
  // Trending counts a story view with a beacon, so the page itself can come from a cache.
  var story = document.querySelector("[data-view-beacon]");
  if (story && navigator.sendBeacon) navigator.sendBeacon(story.getAttribute("data-view-beacon"));
})();

(function () {
  "use strict";

  // "Reply" moves the Leave a Reply form under the comment instead of reloading the page.
  var respond = document.getElementById("respond");
  if (!respond) return;
  var home = document.createComment("respond-home");
  respond.parentNode.insertBefore(home, respond);
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-reply");
  var parentField = document.getElementById("id_parent");
  var maxDepth = parseInt(respond.getAttribute("data-max-depth"), 10) || 0;

  function bdi(text) {
    var element = document.createElement("bdi");
    element.textContent = text;
    return element;
  }

  // The heading says whom the reply really attaches to, as the server's does
  // (templates/personal/_comment_form.html): past the maximum depth, the thread above.
  function setTitle(name, home) {
    if (!title) return;
    while (title.firstChild && title.firstChild !== cancel) title.removeChild(title.firstChild);
    var parts = [name ? "Leave a Reply to " : "Leave a Reply "];
    if (name) {
      var to = bdi(home || name);
      to.className = "respond__to";
      parts.push(to, " ");
      if (home) {
        var via = document.createElement("span");
        via.className = "respond__via";
        via.append("Replies go " + maxDepth + " levels deep, so your reply to ", bdi(name),
          " joins ", bdi(home), "\u2019s thread.");
        parts.push(via, " ");
      }
    }
    parts.forEach(function (part) {
      title.insertBefore(typeof part === "string" ? document.createTextNode(part) : part, cancel);
    });
  }

  function authorOf(item) {
    var author = item.querySelector(":scope > .comment__body .comment__author");
    return author ? author.textContent : "";
  }

  // The comment a reply to ``item`` (an li.comment) joins: itself, or past the maximum depth
  // the nearest one above it that can still take replies (comments/moderation.py reply_parent).
  function replyHome(item) {
    var depth = function (li) { var m = /\bdepth-(\d+)/.exec(li.className); return m ? +m[1] : 1; };
    var up = item;
    while (maxDepth && depth(up) >= maxDepth && up.parentNode.closest("li.comment")) {
      up = up.parentNode.closest("li.comment");
    }
    return up;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".comment-reply-link");
    if (link) {
      event.preventDefault();
      // The comment's id and name come from its own markup: id="comment-<id>", .comment__author.
      var comment = link.closest(".comment__body");
      comment.parentNode.insertBefore(respond, comment.nextSibling);
      parentField.value = comment.parentNode.id.replace("comment-", "");
      var joins = replyHome(comment.parentNode);
      setTitle(authorOf(comment.parentNode), joins === comment.parentNode ? "" : authorOf(joins));
      cancel.hidden = false;
      var body = document.getElementById("id_body");
      if (body) body.focus();
      return;
    }
    if (event.target === cancel) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentField.value = "";
      setTitle("", "");
      cancel.hidden = true;
      if (title) title.scrollIntoView();
    }
  });
})();

(function () {
  "use strict";

  // Refused posts (issue 11): the page sent back after a refused comment opens at the form
  // (its action ends in #respond); focus moves to the error summary, so screen readers read
  // it out and keyboard users start from it. Its links are plain #id links to the fields.
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
    // Once more after load, unless the reader has moved on: the browser's own move to
    // #respond can take the focus back to the page.
    window.addEventListener("load", function () {
      if (!document.activeElement || document.activeElement === document.body) summary.focus();
    });
  }

  // A live character counter for the comment box. The box has no maxlength (a browser would
  // cut pasted text silently); the server refuses an over-long comment and keeps it whole.
  // The visible count updates as the reader types; screen readers hear it only near the limit,
  // once typing pauses. Characters are counted as the server counts them (code points).
  var box = document.querySelector("textarea[data-limit]");
  if (!box) return;
  var limit = parseInt(box.getAttribute("data-limit"), 10);
  if (!limit) return;
  var lang = document.documentElement.lang || undefined;
  var format = function (n) { return n.toLocaleString(lang); };
  // Spans, not paragraphs: the field template wraps each field in a <p>.
  var visible = document.createElement("span");
  visible.className = "field-count";
  visible.setAttribute("aria-hidden", "true");
  var spoken = document.createElement("span");
  spoken.className = "visually-hidden";
  spoken.setAttribute("aria-live", "polite");
  box.parentNode.insertBefore(spoken, box.nextSibling);
  box.parentNode.insertBefore(visible, box.nextSibling);
  var help = document.getElementById(box.id + "_helptext");
  if (help) help.hidden = true; // "Up to 5,000 characters": the counter says it now
  var timer = null;

  function message(length) {
    if (length > limit) {
      return format(length - limit) + (length - limit === 1 ? " character" : " characters") +
        " too many: " + format(length) + " of " + format(limit);
    }
    return format(length) + " of " + format(limit) + " characters";
  }

  function update(event) {
    var length = Array.from(box.value).length;
    var text = message(length);
    visible.textContent = text;
    visible.classList.toggle("field-count--over", length > limit);
    if (!event) return; // on load the error summary speaks first
    clearTimeout(timer);
    timer = setTimeout(function () {
      spoken.textContent = length >= limit * 0.9 ? text : "";
    }, 700);
  }

  box.addEventListener("input", update);
  update();
})();

// --- Own comments (issue 11): the author's Edit and Delete also under their comment ---
// The shared thread is the same for every reader; "Your recent comment" (templates/personal/)
// carries the controls. This copies them under the comment itself, where the author looks.
(function () {
  "use strict";
  var items = document.querySelectorAll(".own-comments__item[data-comment]");
  Array.prototype.forEach.call(items, function (item) {
    var comment = document.getElementById("comment-" + item.getAttribute("data-comment"));
    var body = comment && comment.querySelector(".comment__body");
    var controls = item.querySelector(".own-controls");
    if (body && controls) body.appendChild(controls.cloneNode(true));
  });
})();

(function () {
  "use strict";
  // --- Share: "Copy link" (front) ---
  // The button is hidden in the HTML, so readers without script (or without the Clipboard
  // API) never see a button that does nothing; the plain share links work either way.
  if (!navigator.clipboard || !window.isSecureContext) return;
  var items = document.querySelectorAll(".share__copy");
  Array.prototype.forEach.call(items, function (item) {
    var button = item.querySelector("[data-copy-link]");
    var status = item.querySelector(".share__copied");
    item.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(
        function () { status.textContent = "Link copied"; },
        function () { status.textContent = "Could not copy: copy the address from the address bar"; }
      );
    });
  });
})();
