// puente web interface: the little script it needs. Every page works without it; it draws the
// workflow diagram (Mermaid, served from this server) and moves focus to an error summary.
(function () {
  'use strict';
  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }
  ready(function () {
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    var diagrams = document.querySelectorAll('pre.mermaid');
    if (diagrams.length && window.mermaid) {
      // Natural size in a scrolling box: a large workflow scaled to the page width is unreadable.
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', state: { useMaxWidth: false } });
      window.mermaid
        .run({ nodes: diagrams })
        .then(function () {
          diagrams.forEach(function (el) {
            var svg = el.querySelector('svg');
            if (svg) {
              svg.setAttribute('role', 'img');
              svg.setAttribute('aria-labelledby', el.getAttribute('data-label-id') || '');
            }
            el.setAttribute('data-rendered', 'true');
          });
        })
        .catch(function (err) {
          diagrams.forEach(function (el) {
            el.setAttribute('data-rendered', 'error');
          });
          if (window.console) console.error(err);
        });
    }
  });
})();
