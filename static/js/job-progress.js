// A background job's page (an import, issuing the committee report) without reloading it: every 2
// seconds, fetch the part of the page that changes (the container's data-job-progress-url) and put
// it in place, until the job has finished. A polite live region says when the phase changes and
// how the job ended. Without JavaScript the page has a "Check progress" button instead.
(function () {
  'use strict';
  var container = document.querySelector('[data-job-progress-url]');
  if (!container || !window.fetch) {
    return;
  }
  var url = container.getAttribute('data-job-progress-url');
  var announcer = document.getElementById('job-announcer');
  var announced = '';

  function show(html) {
    var holder = document.createElement('div');
    holder.innerHTML = html;
    var state = holder.querySelector('[data-job-state]');
    if (!state) {
      return true; // not the job's state (signed out?): stop, and leave the page as it is
    }
    container.replaceChildren.apply(container, Array.prototype.slice.call(holder.childNodes));
    var announcement = state.getAttribute('data-announce') || '';
    if (announcer && announcement && announcement !== announced) {
      announcer.textContent = announcement;
      announced = announcement;
    }
    if (state.getAttribute('data-title')) {
      document.title = state.getAttribute('data-title') + ' – IRO Escalations';
    }
    return state.getAttribute('data-job-state') === 'finished';
  }

  function poll() {
    window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (!show(html)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
}());
