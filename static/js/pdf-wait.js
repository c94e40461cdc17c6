// The "your PDF is being prepared" page: ask the server every few seconds whether the worker has
// rendered the PDF, then offer it (and start the download). Announced through the page's status region.
(function () {
  "use strict";
  var box = document.getElementById("pdf-status");
  if (!box) { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var pdfUrl = box.getAttribute("data-pdf-url");
  var delay = 2000;
  document.documentElement.classList.add("js");

  function show(text, linkText) {
    box.textContent = "";
    var p = document.createElement("p");
    p.appendChild(document.createTextNode(text + " "));
    if (linkText) {
      var a = document.createElement("a");
      a.href = pdfUrl;
      a.textContent = linkText;
      p.appendChild(a);
    }
    box.appendChild(p);
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { status: "pending" }; })
      .then(function (data) {
        if (data.status === "ready") {
          show("Your PDF is ready.", "Download the PDF");
          window.location.assign(pdfUrl);
        } else if (data.status === "failed") {
          show("The PDF could not be prepared.", "Try again");
        } else {
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
