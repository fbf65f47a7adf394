// The HTML report's script (inlined into the page by html.ts): filters, search and the detail of
// a result. Plain DOM, no framework: the page must open from a file, offline, in any browser.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var results = data.results, details = data.details, tagSets = data.tagSets;
  function tagsOf(r) { return r.t === undefined ? [] : tagSets[r.t]; }
  var rows = document.getElementById('rows');
  var search = document.getElementById('search');
  var suite = document.getElementById('suite');
  var tag = document.getElementById('tag');
  var count = document.getElementById('count');
  var kinds = Array.prototype.slice.call(document.querySelectorAll('#kinds input'));
  var LIMIT = 500;
  var shown = LIMIT;

  function el(name, attrs, text) {
    var e = document.createElement(name);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function matches(r) {
    var q = search.value.trim().toLowerCase();
    var tags = tagsOf(r);
    if (suite.value && r.suite !== suite.value) return false;
    if (tag.value && tags.indexOf(tag.value) < 0) return false;
    if (!kinds.some(function (k) { return k.checked && k.value === r.kind; })) return false;
    if (!q) return true;
    var hay = (r.id + ' ' + r.title + ' ' + r.file + ' ' + tags.join(' ')).toLowerCase();
    return q.split(/\s+/).every(function (w) { return hay.indexOf(w) >= 0; });
  }

  function detail(r) {
    var box = el('div', { 'class': 'detail' });
    var d = details[r.id];
    if (r.reason) box.appendChild(el('p', { 'class': 'reason' }, r.reason));
    var diffs = r.differences || (r.difference ? [r.difference] : []);
    if (diffs.length) {
      var t = el('table', { 'class': 'diff' });
      t.appendChild(el('tr')).innerHTML = '<th>where</th><th>expected</th><th>actual</th>';
      diffs.forEach(function (x) {
        var tr = el('tr');
        tr.appendChild(el('td', {}, x.where));
        tr.appendChild(el('td', { 'class': 'expected' }, x.expected));
        tr.appendChild(el('td', { 'class': 'actual' }, x.actual));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    if (r.choices && r.choices.length) box.appendChild(el('p', { 'class': 'choices' }, 'closest allowed outcome: ' + r.choices.join(', ')));
    if (r.exits) {
      var ex = function (e) { return e.kind + (e.cause !== undefined ? ' cause ' + e.cause : '') + (e.tval !== undefined ? ' tval ' + e.tval : '') + (e.epc !== undefined ? ' epc ' + e.epc : '') + (e.code !== undefined ? ' code ' + e.code : ''); };
      box.appendChild(el('p', { 'class': 'exits' }, 'exit: expected ' + ex(r.exits.expected) + '; the implementation: ' + ex(r.exits.actual)));
    }
    if (r.stops) box.appendChild(el('p', { 'class': 'stops' }, 'stopped: expected at ' + r.stops.expected.pc + ' (' + r.stops.expected.instruction + '); the implementation at ' + r.stops.actual.pc + ' (' + r.stops.actual.instruction + ')'));
    if (r.at) box.appendChild(el('p', { 'class': 'at' }, 'at ' + r.at.pc + ': ' + r.at.instruction));
    if (r.trace) box.appendChild(el('p', { 'class': 'trace' }, 'trace: first divergence after step ' + r.trace.step + ' at ' + r.trace.pc + ': ' + r.trace.instruction + ' (' + r.trace.difference.where + ' expected ' + r.trace.difference.expected + ', got ' + r.trace.difference.actual + ')' + (r.trace.shrunk ? '; shrunk to ' + r.trace.shrunk : '')));
    if (d && d.code) {
      var pre = el('pre', { 'class': 'code' });
      d.code.forEach(function (c) { pre.appendChild(el('span', { 'class': c[2] ? 'stop' : '' }, (c[2] ? '> ' : '  ') + c[0] + '  ' + c[1] + '\n')); });
      box.appendChild(pre);
    }
    box.appendChild(el('p', { 'class': 'file' }, 'vector file: vectors/' + r.file + (r.ms !== undefined ? '  (' + r.ms + ' ms)' : '')));
    if (d) {
      box.appendChild(el('p', { 'class': 'spec' }, 'specification: ' + d.spec));
      box.appendChild(el('p', { 'class': 'tags' }, 'tags: ' + tagsOf(r).join(', ')));
      box.appendChild(el('pre', { 'class': 'provenance' }, 'provenance: ' + JSON.stringify(d.provenance, null, 1)));
    }
    return box;
  }

  function render() {
    var hits = results.filter(matches);
    rows.textContent = '';
    hits.slice(0, shown).forEach(function (r) {
      var tr = el('tr', { 'class': 'result ' + r.kind, 'data-id': r.id });
      tr.appendChild(el('td', { 'class': 'kind' }, r.kind));
      tr.appendChild(el('td', {}, r.suite));
      tr.appendChild(el('td', { 'class': 'id' }, r.id));
      tr.appendChild(el('td', {}, r.title));
      tr.addEventListener('click', function () {
        var next = tr.nextSibling;
        if (next && next.className === 'detail-row') { next.parentNode.removeChild(next); return; }
        var dr = el('tr', { 'class': 'detail-row' });
        var td = el('td', { colspan: '4' });
        td.appendChild(detail(r));
        dr.appendChild(td);
        tr.parentNode.insertBefore(dr, tr.nextSibling);
      });
      rows.appendChild(tr);
    });
    count.textContent = hits.length > shown ? 'showing ' + shown + ' of ' + hits.length + ' matching results' : hits.length + ' matching results';
    document.getElementById('more').style.display = hits.length > shown ? '' : 'none';
  }

  [search, suite, tag].forEach(function (c) { c.addEventListener('input', function () { shown = LIMIT; render(); }); });
  kinds.forEach(function (c) { c.addEventListener('change', function () { shown = LIMIT; render(); }); });
  document.getElementById('more').addEventListener('click', function () { shown += LIMIT; render(); });
  Array.prototype.forEach.call(document.querySelectorAll('[data-kind-link]'), function (a) {
    a.addEventListener('click', function (ev) {
      ev.preventDefault();
      kinds.forEach(function (k) { k.checked = k.value === a.getAttribute('data-kind-link'); });
      suite.value = a.getAttribute('data-suite') || '';
      shown = LIMIT; render();
    });
  });
  render();
  document.body.setAttribute('data-ready', 'true');
})();
