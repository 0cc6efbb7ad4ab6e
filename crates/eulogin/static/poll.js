// Follows a step that another device completes (the phone approving a login, the app
// registering): polls the JSON status URL named by the form's data-poll and submits the form
// once the status is no longer the waiting one (data-wait-for). The form works without this
// script: the person presses its button instead.
(function () {
  'use strict';
  var form = document.querySelector('form[data-poll]');
  if (!form || !window.fetch) {
    return;
  }
  var url = form.getAttribute('data-poll');
  var waitingFor = form.getAttribute('data-wait-for');
  var stopAt = Date.now() + 15 * 60 * 1000;

  function later(ms) {
    if (Date.now() < stopAt) {
      window.setTimeout(check, ms);
    }
  }

  function check() {
    fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && typeof body.status === 'string' && body.status !== waitingFor) {
          form.submit();
        } else {
          later(2000);
        }
      })
      .catch(function () { later(5000); });
  }

  later(2000);
})();
