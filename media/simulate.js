// The "Simulate This Patch" view. Builds DOM nodes with textContent only (report text never
// becomes markup); talks to the extension with two messages: {type:'ready'} and
// {type:'reveal', line}. Loaded from media/ under a nonce CSP: no inline script or style.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const selected = new Map(); // consequence id -> selected step index

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function reveal(line) {
    if (Number.isInteger(line) && line >= 1) vscode.postMessage({ type: 'reveal', line: line });
  }

  function lineLinks(lines) {
    const span = el('span', 'lines');
    lines.slice(0, 8).forEach(function (l, i) {
      if (i) span.appendChild(document.createTextNode(', '));
      const a = el('a', 'line-link', 'line ' + l);
      a.href = '#';
      a.title = 'Reveal line ' + l + ' in the patch';
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        ev.stopPropagation();
        reveal(l);
      });
      span.appendChild(a);
    });
    return span;
  }

  function stateView(state, title) {
    const box = el('div', 'state');
    box.appendChild(el('div', 'state-title', title));
    if (!state) {
      box.appendChild(el('div', 'muted', 'No machine state was recorded for this step.'));
      return box;
    }
    state.processes.forEach(function (p) {
      const proc = el('div', 'proc');
      proc.appendChild(el('div', 'proc-name', p.name));
      if (p.vmas.length === 0) proc.appendChild(el('div', 'muted', 'no mappings'));
      p.vmas.forEach(function (v) {
        const vma = el('div', 'vma');
        const flags = v.flags || [];
        if (flags.indexOf('VM_IO') >= 0 || flags.indexOf('VM_PFNMAP') >= 0) vma.classList.add('device');
        if (flags.indexOf('VM_DONTCOPY') >= 0) vma.classList.add('dontcopy');
        const head = el('div', 'vma-head');
        head.appendChild(el('span', 'vma-region', v.region || '(anon)'));
        head.appendChild(el('span', 'vma-range', v.start + '–' + v.end));
        vma.appendChild(head);
        const chips = el('div', 'chips');
        flags.forEach(function (f) {
          chips.appendChild(el('span', 'chip' + (f === 'VM_DONTCOPY' || f === 'VM_IO' || f === 'VM_PFNMAP' ? ' chip-key' : ''), f.replace(/^VM_/, '')));
        });
        vma.appendChild(chips);
        if (v.pages && v.pages.length) {
          const pages = el('div', 'pages');
          v.pages.forEach(function (pg, i) {
            const c = el('span', 'page');
            c.textContent = pg.frame === null ? '·' : pg.frame;
            const notes = ['page ' + i + (pg.frame === null ? ': not present' : ': frame ' + pg.frame)];
            if (pg.pinned) { c.classList.add('pinned'); notes.push('pinned for DMA'); }
            if (pg.cow) { c.classList.add('cow'); notes.push('copy-on-write'); }
            if (pg.shared) { c.classList.add('shared'); notes.push('also mapped by another process'); }
            if (pg.device) { c.classList.add('dev'); notes.push('device page'); }
            c.title = notes.join(', ');
            pages.appendChild(c);
          });
          vma.appendChild(pages);
        }
        proc.appendChild(vma);
      });
      box.appendChild(proc);
    });
    const interesting = (state.frames || []).filter(function (f) { return f.pins > 0 || f.device || f.mappedBy.length > 1; });
    if (interesting.length) {
      const fr = el('div', 'frames');
      fr.appendChild(el('div', 'state-title', 'Frames'));
      interesting.slice(0, 24).forEach(function (f) {
        const parts = ['frame ' + f.id];
        if (f.device) parts.push('device');
        if (f.pins > 0) parts.push(f.pins + ' pin' + (f.pins > 1 ? 's' : ''));
        if (f.mappedBy.length) parts.push('mapped by ' + f.mappedBy.join(', '));
        if (f.value !== null) parts.push('holds ' + f.value);
        fr.appendChild(el('div', 'frame' + (f.pins > 0 ? ' pinned' : '') + (f.device ? ' dev' : ''), parts.join(' · ')));
      });
      box.appendChild(fr);
    }
    return box;
  }

  function runColumn(c, run, label, side) {
    const col = el('section', 'run run-' + side);
    const h = el('h3', null, label);
    if (run.passed !== null) h.appendChild(el('span', 'badge ' + (run.passed ? 'ok' : 'bad'), run.passed ? 'expectations met' : 'expectation failed'));
    col.appendChild(h);
    const ol = el('ol', 'timeline');
    const sel = selected.has(c.id) ? selected.get(c.id) : firstDiffering(c);
    run.steps.forEach(function (s, i) {
      const li = el('li', 'step' + (s.ok ? '' : ' failed') + (s.differs ? ' differs' : '') + (i === sel ? ' selected' : ''));
      li.tabIndex = 0;
      li.appendChild(el('span', 'step-index', s.index));
      li.appendChild(el('span', 'step-label', s.label));
      li.appendChild(el('span', 'step-result', s.result));
      s.events.forEach(function (e) { li.appendChild(el('div', 'event', e)); });
      function pick() { selected.set(c.id, i); render(); }
      li.addEventListener('click', pick);
      li.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(); } });
      ol.appendChild(li);
    });
    if (run.steps.length === 0) ol.appendChild(el('li', 'muted', 'no steps recorded'));
    col.appendChild(ol);
    const step = run.steps[sel];
    if (step && step.state) col.appendChild(stateView(step.state, 'After step ' + step.index));
    else col.appendChild(stateView(run.final, run.final ? 'At the end of the run' : 'State'));
    return col;
  }

  function firstDiffering(c) {
    const run = c.patched || c.base;
    const i = run.steps.findIndex(function (s) { return s.differs; });
    return i >= 0 ? i : Math.max(0, run.steps.length - 1);
  }

  let current = null;
  let focus = null;

  function render() {
    const view = current;
    if (!view) return;
    app.textContent = '';
    const header = el('header');
    header.appendChild(el('h1', null, view.title));
    const kernel = el('div', 'kernel', 'Kernel: ' + view.kernel);
    if (view.kernelClues && view.kernelClues.length) {
      const why = el('details', 'clues');
      why.appendChild(el('summary', null, 'why this era'));
      const ul = el('ul');
      view.kernelClues.forEach(function (c) { ul.appendChild(el('li', null, c)); });
      why.appendChild(ul);
      kernel.appendChild(why);
    }
    header.appendChild(kernel);
    app.appendChild(header);
    view.notes.forEach(function (n) { app.appendChild(el('p', 'note', n)); });

    if (view.hookChanges.length) {
      const hc = el('section', 'hooks');
      hc.appendChild(el('h2', null, 'What the patch changes in the model'));
      const table = el('table');
      const thead = el('tr');
      ['hook', 'before', 'after', 'lines'].forEach(function (t) { thead.appendChild(el('th', null, t)); });
      table.appendChild(thead);
      view.hookChanges.forEach(function (h) {
        const tr = el('tr');
        tr.appendChild(el('td', 'hook', h.hook));
        tr.appendChild(el('td', 'before', h.before));
        tr.appendChild(el('td', 'after', h.after));
        const td = el('td');
        td.appendChild(lineLinks(h.lines));
        tr.appendChild(td);
        table.appendChild(tr);
      });
      hc.appendChild(table);
      app.appendChild(hc);
    }

    const list = el('section', 'consequences');
    list.appendChild(el('h2', null, view.consequences.length + ' consequence' + (view.consequences.length === 1 ? '' : 's')));
    view.consequences.forEach(function (c) {
      const card = el('article', 'consequence sev-' + c.severity);
      card.dataset.scenario = c.scenario;
      const head = el('div', 'c-head');
      head.title = 'Reveal the hunk line behind this consequence';
      head.tabIndex = 0;
      head.appendChild(el('span', 'badge sev ' + c.severity, c.severity));
      head.appendChild(el('span', 'scenario', c.scenario));
      head.appendChild(el('span', 'summary', c.summary));
      if (c.lines.length) {
        head.appendChild(lineLinks(c.lines));
        head.addEventListener('click', function () { reveal(c.lines[0]); });
        head.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') reveal(c.lines[0]); });
      }
      card.appendChild(head);
      const runs = el('div', 'runs');
      if (c.patched) {
        runs.appendChild(runColumn(c, c.base, 'Before the patch', 'base'));
        runs.appendChild(runColumn(c, c.patched, 'After the patch', 'patched'));
      } else {
        runs.classList.add('single');
        runs.appendChild(runColumn(c, c.base, 'Run on ' + view.kernel, 'base'));
      }
      card.appendChild(runs);
      list.appendChild(card);
    });
    app.appendChild(list);
    if (focus) {
      const target = Array.prototype.find.call(document.querySelectorAll('.consequence'), function (n) { return n.dataset.scenario === focus; });
      if (target) target.scrollIntoView({ block: 'start' });
      focus = null;
    }
  }

  window.addEventListener('message', function (ev) {
    const m = ev.data;
    if (!m || m.type !== 'show' || !m.view || !Array.isArray(m.view.consequences)) return;
    current = m.view;
    focus = typeof m.focus === 'string' ? m.focus : null;
    selected.clear();
    render();
  });
  vscode.postMessage({ type: 'ready' });
})();
