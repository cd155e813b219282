// bridge's live view: draws the view models the server pushes over server-sent events.
// Every string from the data goes through textContent or a non-URL attribute, never innerHTML:
// addresses and names come from log lines that anyone on the network can shape.
'use strict';

(function () {
  const SVGNS = 'http://www.w3.org/2000/svg';
  const W = 1000, H = 620, PAD = 40;
  const LABELS = 30; // nodes labelled without hovering, by volume
  const $ = (id) => document.getElementById(id);
  // Nodes are coloured by network (an IPv4 /24, an IPv6 address without its last group), so a
  // subnet reads as one colour.
  const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#39c5cf', '#f778ba', '#e3b341', '#8b949e'];
  const state = { view: null, measure: null, sort: null, asc: false, filter: '', selected: null };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  const nf = new Intl.NumberFormat('en-US');
  function count(n) { return nf.format(n); }
  function bytes(n) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
  }
  function fmt(measure, n) { return measure === 'bytes' ? bytes(n) : count(n); }
  function rate(measure, n) {
    if (measure === 'bytes') return bytes(Math.round(n)) + '/s';
    return (n < 10 ? n.toFixed(2) : nf.format(Math.round(n))) + ' pkt/s';
  }

  function network(name) {
    let key = name;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) key = name.split('.').slice(0, 3).join('.');
    else if (name.includes(':')) key = name.slice(0, name.lastIndexOf(':'));
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return h % PALETTE.length;
  }

  function matches(row) {
    const f = state.filter;
    return !f || row.a.toLowerCase().includes(f) || (row.b || '').toLowerCase().includes(f);
  }

  function sortedRows(v) {
    const m = state.measure;
    const col = state.sort || m;
    const val = (r) => {
      switch (col) {
        case 'a': return r.a;
        case 'b': return r.b || '';
        case 'bytes': return r.bytes;
        case 'packets': return r.packets;
        default: return r[m]; // share and rate rank as the measure does
      }
    };
    const rows = v.rows.map((r, i) => Object.assign({ rank: i + 1 }, r));
    rows.sort((x, y) => {
      const a = val(x), b = val(y);
      const c = typeof a === 'string' ? a.localeCompare(b) : a - b;
      return (state.asc ? c : -c) || x.rank - y.rank;
    });
    return rows;
  }

  function hostCell(cls, name) {
    const td = el('td', cls);
    if (name === undefined || name === '') return td;
    const s = el('span', '', name);
    s.title = name;
    s.dataset.host = name;
    td.appendChild(s);
    return td;
  }

  function figureCell(cls, measure, r) {
    const td = el('td', 'num ' + cls);
    td.dataset.value = String(r[measure]);
    if (r.approx) {
      td.appendChild(el('span', 'approx-mark', '≈ '));
      if (measure === state.view.measure) {
        td.title = 'approximate: the true count lies in [' + count(Math.max(r[measure] - r.error, 0)) +
          ', ' + count(r[measure]) + ']';
      } else {
        td.title = 'approximate';
      }
    }
    td.appendChild(document.createTextNode(fmt(measure, r[measure])));
    return td;
  }

  function renderTable(v) {
    const m = state.measure;
    const total = v.total[m] || 1;
    const top = Math.max(1, ...v.rows.map((r) => r[m]));
    const body = $('rows');
    const trs = [];
    let shown = 0;
    for (const r of sortedRows(v)) {
      if (!matches(r)) continue;
      shown++;
      const tr = el('tr', 'row');
      if (state.selected && (r.a === state.selected || r.b === state.selected)) tr.classList.add('sel');
      tr.appendChild(el('td', 'num rank', String(r.rank)));
      tr.appendChild(hostCell('a', r.a));
      tr.appendChild(el('td', 'dir', v.key === 'conversation' ? '↔' : '→'));
      tr.appendChild(hostCell('b', r.b));
      tr.appendChild(figureCell('packets', 'packets', r));
      tr.appendChild(figureCell('bytes', 'bytes', r));
      const share = r[m] / total;
      const sc = el('td', 'num share');
      const bar = el('span', 'bar-share');
      bar.style.width = Math.max(1, Math.round(60 * r[m] / top)) + 'px';
      sc.appendChild(bar);
      sc.appendChild(document.createTextNode((share * 100).toFixed(1) + '%'));
      tr.appendChild(sc);
      tr.appendChild(el('td', 'num rate', rate(m, r[m + '_per_s'])));
      trs.push(tr);
    }
    body.replaceChildren(...trs);
    const other = $('other');
    other.querySelector('.a').textContent = 'Other (' + count(v.other.keys) + ' keys)';
    other.querySelector('.packets').textContent = count(v.other.packets);
    other.querySelector('.bytes').textContent = bytes(v.other.bytes);
    other.querySelector('.share').textContent = ((v.other[m] / total) * 100).toFixed(1) + '%';
    other.querySelector('.rate').textContent = v.window_seconds > 0 ? rate(m, v.other[m] / v.window_seconds) : '';
    $('table-caption').textContent = 'top ' + v.rows.length + ' of ' + count(v.total.keys) +
      ' keys by ' + v.measure + (shown < v.rows.length ? ', ' + shown + ' match the filter' : '');
    for (const th of document.querySelectorAll('#talkers th[data-sort]')) {
      const on = th.dataset.sort === (state.sort || m);
      th.classList.toggle('sorted', on);
      th.classList.toggle('asc', on && state.asc);
    }
  }

  // The picture's elements are kept per host and per edge, so a host the server moves glides to
  // its new place (a CSS transition) instead of jumping.
  const nodeEls = new Map();
  const edgeEls = new Map();

  function keep(cache, key, parent, make) {
    let e = cache.get(key);
    if (!e) {
      e = make();
      cache.set(key, e);
      parent.appendChild(e.root);
    }
    e.seen = true;
    return e;
  }

  function sweep(cache) {
    for (const [k, e] of cache) {
      if (e.seen) { e.seen = false; continue; }
      e.root.remove();
      cache.delete(k);
    }
  }

  function newNode() {
    const root = svg('g');
    const circle = svg('circle');
    const label = svg('text', { 'text-anchor': 'middle' });
    const title = svg('title');
    root.append(circle, label, title);
    return { root, circle, label, title };
  }

  function newEdge() {
    const root = svg('path');
    const title = svg('title');
    root.appendChild(title);
    return { root, title };
  }

  function renderGraph(v) {
    const m = state.measure;
    const place = (n) => [PAD + n.x * (W - 2 * PAD), PAD + n.y * (H - 2 * PAD)];
    const maxNode = Math.max(1, ...v.nodes.map((n) => n[m]));
    const maxEdge = Math.max(1, ...v.edges.map((e) => e[m]));
    const radius = v.nodes.map((n) => 4 + 16 * Math.sqrt(n[m] / maxNode));
    const sel = state.selected;
    const f = state.filter;
    const hit = (name) => name.toLowerCase().includes(f);
    const peers = new Set();
    for (const e of v.edges) {
      const a = v.nodes[e.from].name, b = v.nodes[e.to].name;
      if (sel && (a === sel || b === sel)) { peers.add(a); peers.add(b); }
    }
    for (const e of v.edges) {
      if (e.from === e.to) continue;
      const a = v.nodes[e.from], b = v.nodes[e.to];
      const item = keep(edgeEls, a.name + '\u0000' + b.name, $('edges'), newEdge);
      const [x1, y1] = place(a), [x2, y2] = place(b);
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
      // End at the circles' rims, so the arrowhead shows.
      const r1 = radius[e.from] + 1, r2 = radius[e.to] + 1.5;
      const d = 'M' + (x1 + ux * r1).toFixed(1) + ' ' + (y1 + uy * r1).toFixed(1) +
        ' L' + (x2 - ux * r2).toFixed(1) + ' ' + (y2 - uy * r2).toFixed(1);
      item.root.style.d = 'path("' + d + '")';
      item.root.setAttribute('stroke-width', (1 + 5 * Math.sqrt(e[m] / maxEdge)).toFixed(2));
      let cls = 'edge' + (e.both ? ' both' : '');
      if (sel && (a.name === sel || b.name === sel)) cls += ' hot';
      else if (sel || (f && !hit(a.name) && !hit(b.name))) cls += ' dim';
      item.root.setAttribute('class', cls);
      item.root.setAttribute('marker-end', 'url(#arrow)');
      if (e.both) item.root.setAttribute('marker-start', 'url(#arrow)');
      else item.root.removeAttribute('marker-start');
      item.title.textContent = a.name + (e.both ? ' ↔ ' : ' → ') + b.name + ': ' +
        count(e.packets) + ' packets, ' + bytes(e.bytes);
    }
    const byVolume = v.nodes.map((n, i) => i).sort((i, j) => v.nodes[j][m] - v.nodes[i][m]);
    const labelled = new Set(byVolume.slice(0, LABELS));
    v.nodes.forEach((n, i) => {
      const item = keep(nodeEls, n.name, $('nodes'), newNode);
      const [x, y] = place(n);
      item.root.style.transform = 'translate(' + x.toFixed(1) + 'px,' + y.toFixed(1) + 'px)';
      item.root.dataset.host = n.name;
      let cls = 'node';
      if (!labelled.has(i)) cls += ' minor';
      if (n.name === sel) cls += ' sel';
      else if (peers.has(n.name)) cls += ' peer';
      else if (sel || (f && !hit(n.name))) cls += ' dim';
      item.root.setAttribute('class', cls);
      item.circle.setAttribute('r', radius[i].toFixed(2));
      item.circle.setAttribute('fill', PALETTE[network(n.name)]);
      item.label.setAttribute('y', (radius[i] + 11).toFixed(1));
      item.label.textContent = n.name;
      item.title.textContent = n.name + ': ' + count(n.packets) + ' packets, ' + bytes(n.bytes);
    });
    sweep(edgeEls);
    sweep(nodeEls);
    const other = v.other.keys > 0 ? ' · Other: ' + count(v.other.keys) + ' keys, ' + fmt(m, v.other[m]) : '';
    $('graph-caption').textContent = v.nodes.length + ' hosts of the top ' + v.rows.length + ' ' +
      (v.key === 'host' ? 'hosts' : v.key + 's') + other + ' · size: volume · width: ' + m + ' · arrow: direction';
  }

  function renderPeers(v) {
    const host = state.selected;
    $('peers-panel').hidden = !host;
    if (!host) return;
    $('peers-host').textContent = host;
    const m = state.measure;
    const trs = [];
    for (const r of v.rows) {
      let peer, dir;
      if (r.a === host && v.key !== 'host') { peer = r.b; dir = v.key === 'conversation' ? '↔' : '→'; }
      else if (r.b === host) { peer = r.a; dir = v.key === 'conversation' ? '↔' : '←'; }
      else continue;
      const tr = el('tr');
      tr.appendChild(el('td', 'dir', dir));
      const td = el('td', 'host', peer);
      td.dataset.host = peer;
      tr.appendChild(td);
      tr.appendChild(el('td', 'num', fmt(m, r[m])));
      trs.push(tr);
    }
    if (trs.length === 0) {
      const tr = el('tr');
      tr.appendChild(el('td', 'muted', 'no peer in the top keys'));
      trs.push(tr);
    }
    $('peers').replaceChildren(...trs);
  }

  function renderHealth(v) {
    const h = v.health;
    $('h-lag').textContent = count(h.lag) + ' records';
    $('h-last').textContent = h.last_batch ? new Date(h.last_batch).toLocaleTimeString() : '–';
    $('h-skipped').textContent = count(h.skipped);
    const b = el('span', 'badge ' + (h.approximate ? 'approx' : 'exact'), h.approximate ? '≈ approximate' : 'exact');
    $('h-approx').replaceChildren(b);
    $('h-total').textContent = count(v.total.packets) + ' pkt · ' + bytes(v.total.bytes);
    $('h-keys').textContent = count(v.total.keys);
  }

  function renderHeader(v) {
    $('kind').textContent = 'key: ' + v.key + ' · top ' + v.rows.length;
    const s = new Date(v.window_start), e = new Date(v.window_end);
    $('window').textContent = 'window ' + s.toLocaleTimeString() + ' – ' + e.toLocaleTimeString() +
      ' (' + Math.round(v.window_seconds) + ' s)';
    document.body.classList.toggle('host-key', v.key === 'host');
    $('th-a').textContent = v.key === 'host' ? 'host' : v.key === 'conversation' ? 'address A' : 'source';
    $('th-b').textContent = v.key === 'conversation' ? 'address B' : 'destination';
  }

  function renderCharts(v) {
    const q = '&v=' + v.seq;
    $('chart-packets').src = 'charts/rates.svg?by=packets' + q;
    $('chart-bytes').src = 'charts/rates.svg?by=bytes' + q;
    $('chart-protocols').src = 'charts/protocols.svg?by=' + state.measure + q;
  }

  function render() {
    const v = state.view;
    if (!v) return;
    document.body.classList.toggle('by-bytes', state.measure === 'bytes');
    for (const b of document.querySelectorAll('.switch button')) {
      b.classList.toggle('on', b.dataset.measure === state.measure);
    }
    renderHeader(v);
    renderGraph(v);
    renderTable(v);
    renderPeers(v);
    renderHealth(v);
    renderCharts(v);
    document.body.dataset.seq = String(v.seq);
  }

  function select(host) {
    state.selected = state.selected === host ? null : host;
    render();
  }

  function onClickHost(ev) {
    const t = ev.target.closest('[data-host]');
    if (t) select(t.dataset.host);
  }

  function connect() {
    const status = $('status');
    const es = new EventSource('events');
    es.addEventListener('open', () => { status.textContent = 'live'; status.className = 'status live'; });
    es.addEventListener('error', () => { status.textContent = 'reconnecting'; status.className = 'status wait'; });
    es.addEventListener('view', (ev) => {
      const v = JSON.parse(ev.data);
      if (!state.measure) state.measure = v.measure;
      state.view = v;
      render();
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const b of document.querySelectorAll('.switch button')) {
      b.addEventListener('click', () => { state.measure = b.dataset.measure; state.sort = null; state.asc = false; render(); });
    }
    for (const th of document.querySelectorAll('#talkers th[data-sort]')) {
      th.addEventListener('click', () => {
        const col = th.dataset.sort;
        if ((state.sort || state.measure) === col) state.asc = !state.asc;
        else { state.sort = col; state.asc = col === 'a' || col === 'b'; }
        render();
      });
    }
    $('filter').addEventListener('input', (ev) => { state.filter = ev.target.value.trim().toLowerCase(); render(); });
    $('nodes').addEventListener('click', onClickHost);
    $('rows').addEventListener('click', onClickHost);
    $('peers').addEventListener('click', onClickHost);
    $('peers-close').addEventListener('click', () => select(state.selected));
    connect();
  });
})();
