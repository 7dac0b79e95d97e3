// The printable letter's body is a company's template, shown in a sandboxed frame that may run
// no script of its own; this sizes each frame to its content, so the page prints all of it.
(function () {
  var frames = document.querySelectorAll('iframe.letter-body');
  function fit(frame) {
    var doc = frame.contentDocument;
    if (doc && doc.documentElement) frame.style.height = doc.documentElement.scrollHeight + 'px';
  }
  function fitAll() {
    for (var i = 0; i < frames.length; i++) fit(frames[i]);
  }
  for (var i = 0; i < frames.length; i++) frames[i].addEventListener('load', fitAll);
  window.addEventListener('resize', fitAll);
  window.addEventListener('beforeprint', fitAll);
  fitAll();
})();
