// A one-time browser link. Inside WeChat: say how to open it in the phone's own browser (and
// offer to copy it) without using it up here. Anywhere else: continue at once, signed in.
(function () {
  "use strict";
  var form = document.getElementById("continue-form");
  if (!form) return;
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    form.hidden = true;
    document.getElementById("continue-wechat").hidden = false;
    var link = document.getElementById("continue-link");
    document.getElementById("copy-link").addEventListener("click", function () {
      var done = function () { document.getElementById("copied").hidden = false; };
      link.focus();
      link.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(link.value).then(done, function () {
          if (document.execCommand("copy")) done();
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
    return;
  }
  form.submit();
})();
