// Draws the public service-levels chart from the data attribute the page carries (strict CSP: no inline script).
(function () {
  var canvas = document.getElementById('service-levels-chart');
  if (!canvas || typeof Chart === 'undefined') return;
  var data = JSON.parse(canvas.getAttribute('data-chart'));
  var colours = ['#0b4f8a', '#7aa95c'];
  data.datasets.forEach(function (dataset, i) {
    dataset.backgroundColor = colours[i % colours.length];
  });
  new Chart(canvas, {
    type: 'bar',
    data: data,
    options: {
      responsive: true,
      scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + '%'; } } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
})();
