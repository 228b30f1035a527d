// Draws one bar chart per survey question from its data attribute (strict CSP: no inline script).
// The table beside each chart carries the same numbers.
(function () {
  if (typeof Chart === 'undefined') return;
  document.querySelectorAll('canvas.survey-chart').forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute('data-chart'));
    new Chart(canvas, {
      type: 'bar',
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.counts, backgroundColor: '#0b4f8a' }] },
      options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
    });
  });
})();
