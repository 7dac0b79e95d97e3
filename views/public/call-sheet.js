// Progressive: without JavaScript every part of the call form shows; with it, only the part the
// chosen outcome needs.
(function () {
  var form = document.querySelector('.outcome-form');
  if (!form) return;
  document.documentElement.classList.add('js');
  function show() {
    var chosen = form.querySelector('input[name=outcome]:checked');
    var outcome = chosen ? chosen.value : '';
    form.querySelectorAll('.outcome-details').forEach(function (part) {
      part.hidden = part.getAttribute('data-for').split(' ').indexOf(outcome) < 0;
    });
  }
  form.addEventListener('change', show);
  show();
})();
