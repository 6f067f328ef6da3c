/* Neurolens painter view. Self-contained (no external scripts). One registry per page, keyed by painter id, so a
   view redrawn by update_display_data keeps the concept, mode, brush and comm of the view it replaces. */
var NeurolensPainter = window.NeurolensPainter = window.NeurolensPainter || (function () {
  'use strict';
  var painters = {};
  var PALETTE = ['#2ca02c', '#1f77b4', '#ff7f0e', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf',
                 '#bcbd22', '#7f7f7f'];
  var SLOW_MS = 2000;

  // Classic Notebook's kernel, or (JupyterLab 4, Notebook 7) the kernel of the notebook holding this view, lent by
  // the neurolens-comms extension that the kernelspec installer puts beside the kernel.
  function kernel(node) {
    try {
      if (window.Jupyter && window.Jupyter.notebook && window.Jupyter.notebook.kernel) {
        return window.Jupyter.notebook.kernel;
      }
      return (window.neurolensKernelFor && window.neurolensKernelFor(node)) || null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, style, text) {
    var e = document.createElement(tag);
    if (style) { e.setAttribute('style', style); }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function color(P, concept) {
    var i = P.cfg.concepts.indexOf(concept);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }

  function gridSize(P) { return P.cfg.state.grid; }

  /* Final mode per concept per cell: the last stroke of that concept over the cell wins. */
  function finalCells(P, strokes) {
    var g = gridSize(P), n = g[0] * g[1], out = {};
    strokes.forEach(function (s) {
      var m = out[s.concept] || (out[s.concept] = new Array(n));
      for (var i = 0; i < n; i++) { if (s.cells.charAt(i) === '1') { m[i] = s.mode; } }
    });
    return out;
  }

  function redraw(P, v) {
    var g = gridSize(P), c = v.canvas, ctx = c.getContext('2d');
    var cw = c.width / g[0], ch = c.height / g[1];
    ctx.clearRect(0, 0, c.width, c.height);
    var strokes = P.state.strokes.slice();
    if (P.drag) { strokes.push({concept: P.drag.concept, mode: P.drag.mode, cells: P.drag.cells.join('')}); }
    var cells = finalCells(P, strokes);
    Object.keys(cells).forEach(function (concept) {
      var m = cells[concept], col = color(P, concept);
      for (var i = 0; i < m.length; i++) {
        if (!m[i]) { continue; }
        var x = (i % g[0]) * cw, y = Math.floor(i / g[0]) * ch;
        if (m[i] === 'paint') {
          // a light tint and a border, so the generated picture under the stroke stays visible
          ctx.globalAlpha = 0.2; ctx.fillStyle = col; ctx.fillRect(x, y, cw, ch);
          ctx.globalAlpha = 0.9; ctx.strokeStyle = col; ctx.lineWidth = 2; ctx.strokeRect(x + 2, y + 2, cw - 4, ch - 4);
        } else {
          ctx.globalAlpha = 0.45; ctx.fillStyle = '#000'; ctx.fillRect(x, y, cw, ch);
          ctx.globalAlpha = 0.9; ctx.strokeStyle = col; ctx.lineWidth = 2;
          ctx.beginPath(); ctx.moveTo(x + 2, y + 2); ctx.lineTo(x + cw - 2, y + ch - 2); ctx.stroke();
        }
      }
    });
    ctx.globalAlpha = 0.35; ctx.strokeStyle = '#fff'; ctx.lineWidth = 1;
    ctx.beginPath();
    for (var gx = 1; gx < g[0]; gx++) { ctx.moveTo(Math.round(gx * cw) + 0.5, 0); ctx.lineTo(Math.round(gx * cw) + 0.5, c.height); }
    for (var gy = 1; gy < g[1]; gy++) { ctx.moveTo(0, Math.round(gy * ch) + 0.5); ctx.lineTo(c.width, Math.round(gy * ch) + 0.5); }
    ctx.stroke();
    if (v.hover && P.live) {
      var b = brushCells(P, v.hover[0], v.hover[1]);
      ctx.globalAlpha = 1; ctx.strokeStyle = P.mode === 'paint' ? color(P, P.concept) : '#000'; ctx.lineWidth = 2;
      ctx.strokeRect(b[0] * cw + 1, b[1] * ch + 1, (b[2] - b[0] + 1) * cw - 2, (b[3] - b[1] + 1) * ch - 2);
    }
    ctx.globalAlpha = 1;
  }

  function brushCells(P, cx, cy) {
    var g = gridSize(P), lo = Math.floor((P.brush - 1) / 2), hi = P.brush - 1 - lo;
    return [Math.max(0, cx - lo), Math.max(0, cy - lo), Math.min(g[0] - 1, cx + hi), Math.min(g[1] - 1, cy + hi)];
  }

  function cellAt(P, v, e) {
    var g = gridSize(P), r = v.canvas.getBoundingClientRect();
    var x = Math.floor((e.clientX - r.left) / r.width * g[0]), y = Math.floor((e.clientY - r.top) / r.height * g[1]);
    return (x < 0 || y < 0 || x >= g[0] || y >= g[1]) ? null : [x, y];
  }

  function stamp(P, cell) {
    var g = gridSize(P), b = brushCells(P, cell[0], cell[1]);
    for (var y = b[1]; y <= b[3]; y++) { for (var x = b[0]; x <= b[2]; x++) { P.drag.cells[y * g[0] + x] = '1'; } }
  }

  function views(P) {
    P.views = P.views.filter(function (v) { return document.body.contains(v.root); });
    return P.views;
  }

  function redrawAll(P) {
    views(P).forEach(function (v) {
      redraw(P, v);
      v.concept.value = P.concept; v.brush.value = String(P.brush);
      v.paintBtn.style.fontWeight = P.mode === 'paint' ? 'bold' : 'normal';
      v.removeBtn.style.fontWeight = P.mode === 'remove' ? 'bold' : 'normal';
      v.paintBtn.setAttribute('aria-pressed', P.mode === 'paint');
      v.removeBtn.setAttribute('aria-pressed', P.mode === 'remove');
      v.swatch.style.background = color(P, P.concept);
      [v.concept, v.brush, v.paintBtn, v.removeBtn, v.undoBtn, v.resetBtn].forEach(function (x) { x.disabled = !P.live; });
      v.undoBtn.disabled = !P.live || P.state.strokes.length === 0;
      v.resetBtn.disabled = v.undoBtn.disabled;
      if (P.png) { v.img.src = P.png; }
    });
  }

  function status(P, text, error) {
    P.statusText = text; P.statusError = !!error;
    views(P).forEach(function (v) { showStatus(P, v); });
  }

  function showStatus(P, v) {
    if (P.statusText == null) { return; }
    v.status.textContent = P.statusText;
    v.status.style.color = P.statusError ? '#b00020' : '#555';
  }

  function connect(P) {
    var vs = views(P);
    var k = kernel(vs.length ? vs[vs.length - 1].root : null);
    if (!k) { return null; }
    if (P.comm && P.commKernel === k) { return P.comm; }
    try {
      P.comm = k.comm_manager.new_comm(P.cfg.target, {painter: P.cfg.id});
    } catch (e) {
      status(P, 'Cannot open a channel to the kernel (' + e + '); use ' + example(P) + ' instead.', true);
      return null;
    }
    P.commKernel = k;
    P.comm.on_msg(function (msg) { onReply(P, msg.content.data); });
    P.comm.on_close(function () {
      P.comm = null; P.commKernel = null; P.inflight = false;
      if (!P.statusError) { // closed without a word: a kernel with no painter channel (e.g. a stock IJava)
        P.live = false; redrawAll(P);
        status(P, 'The kernel closed the painter channel (no Neurolens comms in this kernel?); use ' + example(P) + '.', true);
      }
    });
    return P.comm;
  }

  function example(P) {
    return '%paint ' + P.cfg.name + ' --concept ' + P.cfg.concepts[0] + ' --rect 0,0,1,1';
  }

  function request(P, action) {
    if (P.inflight) { P.dirty = true; return; }
    var c = connect(P);
    if (!c) { return; }
    P.inflight = true; P.dirty = false; P.seq += 1; P.sentAt = Date.now();
    var seq = P.seq;
    c.send(action === 'hello' ? {action: 'hello', seq: seq} : {action: 'paint', seq: seq, state: P.state});
    status(P, action === 'hello' ? 'Connecting to the kernel…' : 'Rendering…');
    setTimeout(function () {
      if (P.inflight && P.seq === seq) { status(P, 'Waiting for the kernel (is a cell running?)…'); }
    }, SLOW_MS);
  }

  function onReply(P, d) {
    if (!d || (d.type !== 'image' && d.type !== 'error')) { return; }
    P.inflight = false;
    if (typeof d.rev === 'number') { P.rev = d.rev; }
    if (d.state && !P.dirty) { P.state = d.state; }
    if (d.type === 'image') {
      P.png = 'data:image/png;base64,' + d.png;
      P.live = true;
      var strokes = P.state.strokes.length;
      status(P, 'Live: ' + strokes + (strokes === 1 ? ' stroke' : ' strokes') + ', rendered in ' + d.ms + ' ms (round trip '
          + (Date.now() - P.sentAt) + ' ms). Drag on the picture to ' + P.mode + ' ' + P.concept + '.');
    } else {
      P.live = P.live || d.seq != null; // a bad stroke keeps the view live; a missing painter does not
      status(P, d.message, true);
    }
    redrawAll(P);
    if (P.dirty) { request(P, 'paint'); }
  }

  function build(root, P) {
    var stage = root.querySelector('.nlp-stage'), img = root.querySelector('.nlp-img');
    var statusEl = root.querySelector('.nlp-status');
    var bar = el('div', 'display:flex;gap:6px;align-items:center;margin-bottom:4px;flex-wrap:wrap');
    var swatch = el('span', 'display:inline-block;width:12px;height:12px;border:1px solid #444');
    var concept = el('select');
    P.cfg.concepts.forEach(function (c) { var o = el('option', null, c); o.value = c; concept.appendChild(o); });
    var paintBtn = el('button', null, 'Paint'), removeBtn = el('button', null, 'Remove');
    var brush = el('select');
    [1, 2, 3, 4].forEach(function (b) { var o = el('option', null, b + (b === 1 ? ' cell' : ' cells')); o.value = String(b); brush.appendChild(o); });
    var undoBtn = el('button', null, 'Undo'), resetBtn = el('button', null, 'Reset');
    [swatch, concept, paintBtn, removeBtn, el('span', 'margin-left:6px', 'brush'), brush, undoBtn, resetBtn]
      .forEach(function (x) { bar.appendChild(x); });
    root.insertBefore(bar, stage);
    var canvas = el('canvas', 'position:absolute;left:0;top:0;width:100%;height:100%;cursor:crosshair;touch-action:none');
    canvas.width = P.cfg.width; canvas.height = P.cfg.height;
    canvas.className = 'nlp-overlay';
    stage.appendChild(canvas);
    var v = {root: root, img: img, canvas: canvas, status: statusEl, concept: concept, brush: brush, swatch: swatch,
             paintBtn: paintBtn, removeBtn: removeBtn, undoBtn: undoBtn, resetBtn: resetBtn, hover: null};

    concept.onchange = function () { P.concept = concept.value; redrawAll(P); };
    brush.onchange = function () { P.brush = parseInt(brush.value, 10); redrawAll(P); };
    paintBtn.onclick = function () { P.mode = 'paint'; redrawAll(P); };
    removeBtn.onclick = function () { P.mode = 'remove'; redrawAll(P); };
    undoBtn.onclick = function () {
      if (!P.live || !P.state.strokes.length) { return; }
      P.state = {grid: P.state.grid, strokes: P.state.strokes.slice(0, -1)};
      redrawAll(P); request(P, 'paint');
    };
    resetBtn.onclick = function () {
      if (!P.live) { return; }
      P.state = {grid: P.state.grid, strokes: []};
      redrawAll(P); request(P, 'paint');
    };
    canvas.addEventListener('pointerdown', function (e) {
      if (!P.live || e.button !== 0) { return; }
      var cell = cellAt(P, v, e);
      if (!cell) { return; }
      e.preventDefault();
      try { canvas.setPointerCapture(e.pointerId); } catch (ignored) { /* synthetic events have no capture */ }
      var g = gridSize(P), cells = new Array(g[0] * g[1]);
      for (var i = 0; i < cells.length; i++) { cells[i] = '0'; }
      P.drag = {concept: P.concept, mode: P.mode, cells: cells};
      stamp(P, cell); redraw(P, v);
    });
    canvas.addEventListener('pointermove', function (e) {
      var cell = cellAt(P, v, e);
      v.hover = cell;
      if (P.drag && cell) { stamp(P, cell); }
      redraw(P, v);
    });
    canvas.addEventListener('pointerleave', function () { v.hover = null; redraw(P, v); });
    function finish() {
      if (!P.drag) { return; }
      var s = {concept: P.drag.concept, mode: P.drag.mode, cells: P.drag.cells.join('')};
      P.drag = null;
      if (s.cells.indexOf('1') >= 0) {
        P.state = {grid: P.state.grid, strokes: P.state.strokes.concat([s])};
        redrawAll(P); request(P, 'paint');
      }
    }
    canvas.addEventListener('pointerup', finish);
    canvas.addEventListener('pointercancel', finish);
    return v;
  }

  function mount(viewId, cfg, tries) {
    var root = document.getElementById(viewId);
    if (!root) {
      // The notebook runs an output's scripts before it attaches the output to the page.
      if ((tries || 0) < 200) { setTimeout(function () { mount(viewId, cfg, (tries || 0) + 1); }, 25); }
      return;
    }
    if (root.getAttribute('data-mounted')) { return; }
    root.setAttribute('data-mounted', '1');
    var P = painters[cfg.id], fresh = !P;
    if (fresh) {
      P = painters[cfg.id] = {cfg: cfg, state: cfg.state, rev: cfg.rev, concept: cfg.concepts[0], mode: 'paint',
                              brush: 1, seq: 0, inflight: false, dirty: false, comm: null, commKernel: null,
                              views: [], png: null, live: false, drag: null, statusText: null};
    } else {
      P.cfg = cfg;
      if (cfg.rev > P.rev) { // changed in the kernel (%paint): the last stroke's status line no longer holds
        P.state = cfg.state; P.rev = cfg.rev; P.png = null;
        if (P.live && !P.inflight) {
          var n = P.state.strokes.length;
          P.statusText = 'Live: ' + n + (n === 1 ? ' stroke' : ' strokes') + ', changed in the kernel. Drag on the picture to '
              + P.mode + ' ' + P.concept + '.';
          P.statusError = false;
        }
      }
      else if (cfg.rev === P.rev) { P.png = null; } // the output already shows this picture
    }
    var v = build(root, P);
    views(P).push(v);
    redrawAll(P);
    showStatus(P, v);
    if (!kernel(root)) {
      P.live = false;
      redrawAll(P);
      return; // the static line in the output already says what to do
    }
    if (fresh || !P.comm) { request(P, 'hello'); }
  }

  return {mount: mount, painters: painters};
})();
