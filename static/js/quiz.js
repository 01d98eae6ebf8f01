/* The public quiz: one question at a time (a tap answers a single-choice question), then the sheet
 * goes to the API once, under a client_id kept until it is answered, so a retry counts once. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var config = JSON.parse(document.getElementById("quiz-config").textContent);
  var texts = JSON.parse(document.getElementById("quiz-texts").textContent);
  var questions = Array.prototype.slice.call(document.querySelectorAll(".question"));
  var answers = [], started = null, current = 0;
  var resultBox = document.getElementById("quiz-result");
  var errorBox = document.getElementById("quiz-error");
  var retry = document.getElementById("retry");

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function stored(key, make) {
    try {
      var value = localStorage.getItem(key);
      if (!value) { value = make(); localStorage.setItem(key, value); }
      return value;
    } catch (e) { return make(); }
  }
  var deviceId = stored("gridreach-device", uuid);
  var sheetKey = "gridreach-quiz-" + config.token;

  function show(i) {
    questions.forEach(function (q, n) { q.classList.toggle("current", n === i); });
    current = i;
    if (started === null) started = Date.now();
  }
  function chosen(q) {
    return Array.prototype.slice.call(q.querySelectorAll("input:checked"))
      .map(function (input) { return parseInt(input.value, 10); });
  }
  function next() {
    answers[current] = chosen(questions[current]);
    if (current + 1 < questions.length) show(current + 1); else send();
  }
  questions.forEach(function (q) {
    if (q.dataset.multi === "1") {
      q.querySelector(".next").addEventListener("click", function () { if (chosen(q).length) next(); });
    } else {
      q.addEventListener("change", function () { setTimeout(next, 150); });
    }
  });

  function send() {
    questions.forEach(function (q) { q.classList.remove("current"); });
    var sheet;
    try { sheet = JSON.parse(sessionStorage.getItem(sheetKey) || "null"); } catch (e) { sheet = null; }
    if (!sheet) {
      sheet = { token: config.token, client_id: uuid(), device_id: deviceId, answers: answers,
        elapsed_ms: Date.now() - started };
      try { sessionStorage.setItem(sheetKey, JSON.stringify(sheet)); } catch (e) { /* private mode */ }
    }
    errorBox.hidden = true; retry.hidden = true;
    fetch(config.api, { method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(sheet) })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (answer) {
        if (answer.status === 200 || answer.status === 201) {
          try { sessionStorage.removeItem(sheetKey); } catch (e) { /* nothing kept */ }
          return showResult(sheet.answers, answer.body);
        }
        try { sessionStorage.removeItem(sheetKey); } catch (e) { /* nothing kept */ }
        fail(answer.status === 429 ? texts.limited : answer.status === 404 ? texts.closed
          : (answer.body && answer.body.message) || texts.offline, false);
      })
      .catch(function () { fail(texts.offline, true); });
  }
  function fail(message, canRetry) {
    errorBox.textContent = message; errorBox.hidden = false; retry.hidden = !canRetry;
    root.dataset.state = "error";
  }
  retry.addEventListener("click", send);

  function showResult(given, result) {
    var right = 0;
    var review = document.getElementById("review");
    review.textContent = "";
    result.correct.forEach(function (want, i) {
      var q = questions[i];
      var ok = JSON.stringify((given[i] || []).slice().sort()) === JSON.stringify(want);
      if (ok) right += 1;
      var li = document.createElement("li");
      var title = document.createElement("div");
      title.textContent = q.querySelector(".qtext").textContent;
      var mark = document.createElement("div");
      var labels = q.querySelectorAll("label.choice span");
      mark.className = ok ? "ok" : "bad";
      mark.textContent = ok ? "✓ " + texts.right
        : "✗ " + texts.wrong + " " + want.map(function (n) { return labels[n].textContent; }).join("；");
      li.appendChild(title); li.appendChild(mark); review.appendChild(li);
    });
    document.getElementById("score").textContent =
      texts.score.replace("{right}", right).replace("{total}", result.correct.length);
    document.getElementById("verdict").textContent = result.passed ? texts.passed : texts.failed;
    resultBox.hidden = false;
    root.dataset.state = result.passed ? "passed" : "failed";
  }

  show(0);
  root.dataset.ready = "quiz";
})();
