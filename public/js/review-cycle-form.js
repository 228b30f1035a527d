// Fills the period from the cycle's code as it is typed (2026-H1: 1 January to 30 June; H2: 1 July to 31 December).
(function () {
  var code = document.getElementById('field-code');
  var starts = document.getElementById('field-startsOn');
  var ends = document.getElementById('field-endsOn');
  if (!code || !starts || !ends) return;
  code.addEventListener('input', function () {
    var match = /^(\d{4})-H([12])$/i.exec(code.value.trim());
    if (!match) return;
    starts.value = match[2] === '1' ? match[1] + '-01-01' : match[1] + '-07-01';
    ends.value = match[2] === '1' ? match[1] + '-06-30' : match[1] + '-12-31';
  });
})();
