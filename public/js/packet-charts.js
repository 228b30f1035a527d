// Draws each dimension's distribution in an input packet, this cycle beside the previous one.
// The table above carries the same numbers (strict CSP: data comes from data attributes).
(function () {
  if (typeof Chart === 'undefined') return;
  var colours = ['#0b4f8a', '#9bb7d4'];
  document.querySelectorAll('canvas.packet-chart').forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute('data-chart'));
    data.datasets.forEach(function (dataset, i) { dataset.backgroundColor = colours[i % colours.length]; });
    new Chart(canvas, { type: 'bar', data: data, options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom' } } } });
  });
})();
