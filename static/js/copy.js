// Copy buttons: <button data-copy="#id" hidden> copies the value (or text) of #id. The
// buttons stay hidden where the browser cannot copy, so nobody meets a button that does
// nothing; the link and the code remain there to select by hand. No inline script (CSP).
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in source ? source.value : source.textContent.trim();
      navigator.clipboard.writeText(text).then(
        function () { if (status) status.textContent = "Copied"; },
        function () { if (status) status.textContent = "Could not copy: please select it and copy it by hand."; }
      );
    });
  });
})();
