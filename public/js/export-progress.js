// Follows a background export: asks for its progress every two seconds and reloads when it is done.
(function () {
  var box = document.querySelector('[data-export-progress]');
  if (!box || document.querySelector('[data-testid="download"]')) return;
  var url = box.getAttribute('data-export-progress');
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
