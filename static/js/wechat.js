// Inside WeChat's browser location and offline storage are often refused: say so at once.
(function () {
  "use strict";
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    var notice = document.getElementById("wechat-notice");
    if (notice) notice.hidden = false;
  }
})();
