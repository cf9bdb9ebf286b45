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
  var originalTitle = title ? title.firstChild.nodeValue : "Leave a Reply ";

  function setTitle(name) {
    if (!title) return;
    var to = title.querySelector(".respond__to");
    if (to) to.remove();
    if (name) {
      title.firstChild.nodeValue = "Leave a Reply to ";
      to = document.createElement("span");
      to.className = "respond__to";
      to.textContent = name;
      title.insertBefore(to, cancel);
      title.insertBefore(document.createTextNode(" "), cancel);
    } else {
      title.firstChild.nodeValue = originalTitle.replace(/ to $/, " ");
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".comment-reply-link");
    if (link) {
      event.preventDefault();
      // The comment's id and name come from its own markup: id="comment-<id>", .comment__author.
      var comment = link.closest(".comment__body");
      comment.parentNode.insertBefore(respond, comment.nextSibling);
      parentField.value = comment.parentNode.id.replace("comment-", "");
      setTitle(comment.querySelector(".comment__author").textContent);
      cancel.hidden = false;
      var body = document.getElementById("id_body");
      if (body) body.focus();
      return;
    }
    if (event.target === cancel) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentField.value = "";
      setTitle("");
      cancel.hidden = true;
      if (title) title.scrollIntoView();
    }
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
