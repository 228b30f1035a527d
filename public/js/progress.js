// Follows a background job (an export, an import): asks for its progress every two seconds and
// reloads when it has ended. The page gives the JSON address in data-progress-url.
(function () {
  var box = document.querySelector('[data-progress-url]');
  if (!box || box.hasAttribute('data-finished')) return;
  var url = box.getAttribute('data-progress-url');
  var bar = box.querySelector('progress');
  var timer = setInterval(function () {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        if (job.status === 'done' || job.status === 'failed') { clearInterval(timer); window.location.reload(); }
      })
      .catch(function () { clearInterval(timer); });
  }, 2000);
})();
