// puente web interface: the little script it needs. Every page works without it; it draws the
// workflow diagram (Mermaid, served from this server) and moves focus to an error summary.
(function () {
  'use strict';
  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }
  // The reader's time zone, for the dates and times the server writes (cookie puente_tz).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('puente_tz=' + encodeURIComponent(zone)) < 0) {
      document.cookie = 'puente_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
    }
  } catch (_e) {
    /* no Intl: dates stay in UTC, named as such */
  }
  ready(function () {
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    // A link to a folded section (#history) opens it.
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') target.open = true;
    var diagrams = Array.prototype.slice.call(document.querySelectorAll('pre.mermaid'));
    if (!diagrams.length || !window.mermaid) return;
    // Natural size in a scrolling box: a large workflow scaled to the page width is unreadable.
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', state: { useMaxWidth: false } });
    function draw(nodes) {
      return window.mermaid
        .run({ nodes: nodes })
        .then(function () {
          nodes.forEach(function (el) {
            var svg = el.querySelector('svg');
            if (svg) {
              svg.setAttribute('role', 'img');
              svg.setAttribute('aria-labelledby', el.getAttribute('data-label-id') || '');
              // The full graph opens on the current state.
              var current = svg.querySelector('.current');
              var box = el.closest('.diagram');
              if (current && box && current.getBoundingClientRect) {
                var c = current.getBoundingClientRect();
                var b = box.getBoundingClientRect();
                box.scrollLeft += c.left - b.left - b.width / 2 + c.width / 2;
              }
            }
            el.setAttribute('data-rendered', 'true');
          });
        })
        .catch(function (err) {
          nodes.forEach(function (el) {
            el.setAttribute('data-rendered', 'error');
          });
          if (window.console) console.error(err);
        });
    }
    // A diagram folded in a closed <details> is drawn when it is opened (it has no size before).
    var now = diagrams.filter(function (el) {
      var fold = el.closest('details');
      return !fold || fold.open;
    });
    if (now.length) draw(now);
    diagrams.forEach(function (el) {
      var fold = el.closest('details');
      if (!fold || fold.open) return;
      fold.addEventListener('toggle', function once() {
        if (!fold.open) return;
        fold.removeEventListener('toggle', once);
        draw([el]);
      });
    });
  });
})();
