// The explorer page: a drawing pad (mouse, pen, touch), uploads and test digits go to api/analyze; the
// answer is drawn as probability bars, the 28x28 input, SmoothGrad, Grad-CAM and every layer's maps.
// Every URL is relative, so the page works wherever the server mounts it.
/* global atob, setTimeout, clearTimeout, createImageBitmap */
'use strict';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const pen = pad.getContext('2d');

const state = {
  /** What was last sent: { kind: 'blob', blob, label } or { kind: 'pixels', pixels, label }. */
  source: null,
  /** The class to explain (null: the predicted one). */
  target: null,
  /** Increases with every request, so a late answer to an older one is dropped. */
  seq: 0,
  retry: null,
  /** The pad shows an upload or a test digit: the next stroke starts a fresh drawing. */
  padShowsPicture: false,
  padHasInk: false,
  drawing: false,
  last: null,
  info: null,
  pictures: null,
  pictureTab: 0,
  layers: null,
  selected: null,
};

// ---- colours --------------------------------------------------------------------------------------------
const STOPS = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

/** A colour of the inferno map for t in [0, 1]. */
function heat(t) {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function decode(plane) {
  const raw = atob(plane.data);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Draws channel `channel` of a plane (bytes, height x width x channels) with `colour(v in 0..1)`. */
function drawPlane(canvas, plane, bytes, channel, colour) {
  const { width, height, channels } = plane;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = colour(bytes[p * channels + channel] / 255, p);
    img.data[4 * p] = r;
    img.data[4 * p + 1] = g;
    img.data[4 * p + 2] = b;
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

const grey = (v) => [255 * v, 255 * v, 255 * v];

// ---- the drawing pad ------------------------------------------------------------------------------------
function clearPad() {
  pen.fillStyle = '#fff';
  pen.fillRect(0, 0, pad.width, pad.height);
  state.padShowsPicture = false;
  state.padHasInk = false;
}

function padPoint(e) {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
}

function stroke(from, to) {
  pen.strokeStyle = '#000';
  pen.fillStyle = '#000';
  pen.lineWidth = 18;
  pen.lineCap = 'round';
  pen.lineJoin = 'round';
  pen.beginPath();
  pen.moveTo(from[0], from[1]);
  pen.lineTo(to[0], to[1]);
  pen.stroke();
}

pad.addEventListener('pointerdown', (e) => {
  e.preventDefault();
  if (state.padShowsPicture) clearPad();
  pad.setPointerCapture(e.pointerId);
  state.drawing = true;
  state.last = padPoint(e);
  stroke(state.last, state.last);
  state.padHasInk = true;
});
pad.addEventListener('pointermove', (e) => {
  if (!state.drawing) return;
  const p = padPoint(e);
  stroke(state.last, p);
  state.last = p;
});
function endStroke() {
  if (!state.drawing) return;
  state.drawing = false;
  state.target = null;
  pad.toBlob((blob) => blob && analyse({ kind: 'blob', blob, label: 'your drawing' }), 'image/png');
}
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

$('clear').addEventListener('click', () => {
  clearPad();
  state.seq++;
  state.source = null;
  state.target = null;
  clearResults();
  setStatus('Draw a digit to begin.');
});

$('upload').addEventListener('change', async (e) => {
  const file = e.target.files && e.target.files[0];
  e.target.value = '';
  if (!file) return;
  state.seq++;
  clearResults();
  if (!/^image\/(png|jpeg)$/.test(file.type)) {
    setStatus(`${file.name} is not a PNG or JPEG picture`, true);
    return;
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    setStatus(`${file.name} could not be read as a picture`, true);
    return;
  }
  // The picture is shrunk here (at most 560 pixels a side) so phone photos stay small on the wire.
  const scale = Math.min(1, 560 / Math.max(bitmap.width, bitmap.height));
  const small = document.createElement('canvas');
  small.width = Math.max(1, Math.round(bitmap.width * scale));
  small.height = Math.max(1, Math.round(bitmap.height * scale));
  small.getContext('2d').drawImage(bitmap, 0, 0, small.width, small.height);
  clearPad();
  const fit = Math.min(pad.width / small.width, pad.height / small.height);
  const w = small.width * fit;
  const h = small.height * fit;
  pen.drawImage(small, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
  state.padShowsPicture = true;
  state.target = null;
  small.toBlob((blob) => blob && analyse({ kind: 'blob', blob, label: file.name }), 'image/png');
});

$('sample').addEventListener('click', async () => {
  state.seq++;
  try {
    const res = await fetch('api/sample');
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
    const tile = document.createElement('canvas');
    tile.width = 28;
    tile.height = 28;
    const ctx = tile.getContext('2d');
    const img = ctx.createImageData(28, 28);
    body.pixels.forEach((v, p) => {
      const g = 255 * (1 - v); // shown dark on light, like the drawings
      img.data.set([g, g, g, 255], 4 * p);
    });
    ctx.putImageData(img, 0, 0);
    clearPad();
    pen.imageSmoothingEnabled = true;
    pen.drawImage(tile, 0, 0, pad.width, pad.height);
    state.padShowsPicture = true;
    state.target = null;
    analyse({ kind: 'pixels', pixels: body.pixels, label: `test digit ${body.index} (labelled ${body.label})` });
  } catch (err) {
    clearResults();
    setStatus(`no test digit: ${err.message}`, true);
  }
});

// ---- asking the server ----------------------------------------------------------------------------------
function setStatus(text, isError = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
}

function clearResults() {
  clearTimeout(state.retry);
  $('result').hidden = true;
  $('ood').hidden = true;
  $('explain-panel').hidden = true;
  $('layers-panel').hidden = true;
  $('detail').hidden = true;
  state.layers = null;
  state.selected = null;
}

async function analyse(source) {
  clearTimeout(state.retry);
  state.source = source;
  const seq = ++state.seq;
  setStatus(`Reading ${source.label}…`);
  try {
    let res;
    if (source.kind === 'pixels') {
      const body = state.target === null ? { pixels: source.pixels } : { pixels: source.pixels, target: state.target };
      res = await fetch('api/analyze', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } else {
      const query = state.target === null ? '' : `?target=${state.target}`;
      res = await fetch(`api/analyze${query}`, {
        method: 'POST',
        headers: { 'content-type': source.blob.type || 'image/png' },
        body: source.blob,
      });
    }
    const body = await res.json();
    if (seq !== state.seq) return;
    if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
    show(body, source);
    if (body.ood.state === 'pending') state.retry = setTimeout(() => seq === state.seq && analyse(source), 2500);
  } catch (err) {
    if (seq !== state.seq) return;
    clearResults();
    setStatus(err.message, true);
  }
}

// ---- showing the answer ---------------------------------------------------------------------------------
function show(a, source) {
  const { label, probabilities } = a.prediction;
  const p = probabilities[label];
  setStatus(`The answer for ${source.label}:`);

  const ood = $('ood');
  ood.hidden = false;
  ood.replaceChildren();
  if (a.ood.state === 'ready' && a.ood.outOfDistribution) {
    ood.className = 'warning';
    const head = document.createElement('strong');
    head.textContent = 'This does not look like a handwritten digit, so do not trust the answer below:';
    const list = document.createElement('ul');
    for (const r of a.ood.reasons) {
      const li = document.createElement('li');
      li.textContent = r.text;
      list.append(li);
    }
    ood.append(head, list);
  } else if (a.ood.state === 'ready') {
    ood.hidden = true;
  } else {
    ood.className = 'hint';
    ood.textContent = `Whether this looks like a digit is not checked yet: ${a.ood.message}.`;
  }

  $('result').hidden = false;
  $('digit').textContent = String(label);
  const doubt = a.ood.state === 'ready' && a.ood.outOfDistribution;
  $('confidence').textContent = `${(100 * p).toFixed(1)}%${doubt ? ' (but probably not a digit)' : ''}`;
  $('digit').style.opacity = doubt ? '0.45' : '1';

  const probs = $('probs');
  probs.replaceChildren();
  probabilities.forEach((q, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'prob';
    b.setAttribute('aria-pressed', String(k === a.target));
    b.setAttribute('aria-label', `class ${k}: ${(100 * q).toFixed(1)}%; explain it`);
    const name = document.createElement('span');
    name.textContent = String(k);
    const track = document.createElement('span');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.display = 'block';
    bar.style.width = `${Math.max(0.5, 100 * q)}%`;
    track.append(bar);
    const pct = document.createElement('span');
    pct.className = 'pct';
    pct.textContent = `${(100 * q).toFixed(1)}%`;
    b.append(name, track, pct);
    b.addEventListener('click', () => {
      state.target = k;
      if (state.source) analyse(state.source);
    });
    probs.append(b);
  });

  for (const el of document.querySelectorAll('.target')) el.textContent = `“${a.target}”`;
  $('cam-layer').textContent = a.gradCam.layer;
  $('explain-panel').hidden = false;
  const input = decode(a.input);
  drawPlane($('seen'), a.input, input, 0, grey);
  const sal = decode(a.saliency);
  drawPlane($('saliency'), a.saliency, sal, 0, (v) => heat(v));
  const cam = decode(a.gradCam.onInput);
  drawPlane($('gradcam'), a.gradCam.onInput, cam, 0, (v, px) => {
    const g = input[px] / 255;
    const h = heat(v);
    const alpha = 0.25 + 0.6 * v;
    return [
      h[0] * alpha + 255 * g * (1 - alpha),
      h[1] * alpha + 255 * g * (1 - alpha),
      h[2] * alpha + 255 * g * (1 - alpha),
    ];
  });

  state.layers = a.layers;
  showLayers(a.layers);
}

const LAYER_TEXT = {
  conv: (l, prev) =>
    `${l.channels} filters of 3x3, each slid over ${prev ? `the ${prev.channels} maps of ${prev.name}` : 'the picture'}: one map per filter, bright where its pattern is.`,
  pool: () => `The largest value of every 2x2 block of each map: half the size, and small shifts stop mattering.`,
  dense: (l, prev) =>
    `${l.channels} neurons, each weighing every value of ${prev ? prev.name : 'the layer below'} (flattened).`,
  output: (l) => `The ${l.channels} class probabilities (softmax of the class scores).`,
};

function showLayers(layers) {
  $('layers-panel').hidden = false;
  const box = $('layers');
  box.replaceChildren();
  layers.forEach((l, i) => {
    const prev =
      layers
        .slice(0, i)
        .reverse()
        .find((x) => x.kind !== 'dense') || null;
    const section = document.createElement('div');
    section.className = 'layer';
    const h = document.createElement('h3');
    h.textContent =
      l.height > 1 ? `${l.name}: ${l.channels} maps of ${l.height}x${l.width}` : `${l.name}: ${l.channels} values`;
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = LAYER_TEXT[l.kind](l, i > 0 ? layers[i - 1] : prev);
    section.append(h, p);
    const bytes = decode(l);
    if (l.height > 1) {
      const grid = document.createElement('div');
      grid.className = 'grid';
      grid.style.setProperty('--cell', l.height >= 20 ? '54px' : '42px');
      for (let c = 0; c < l.channels; c++) {
        const b = document.createElement('button');
        b.type = 'button';
        b.title = `${l.name} map ${c}`;
        b.setAttribute('aria-label', `${l.name} map ${c}: enlarge`);
        b.setAttribute('aria-pressed', 'false');
        const cv = document.createElement('canvas');
        drawPlane(cv, l, bytes, c, heat);
        b.append(cv);
        b.addEventListener('click', () => select(i, c, b));
        grid.append(b);
      }
      section.append(grid);
    } else {
      const cells = document.createElement('div');
      cells.className = 'cells';
      if (l.kind === 'output') cells.style.gridTemplateColumns = 'repeat(10, 1fr)';
      for (let c = 0; c < l.channels; c++) {
        const s = document.createElement('span');
        const [r, g, b] = heat(bytes[c] / 255);
        s.style.background = `rgb(${r | 0},${g | 0},${b | 0})`;
        s.title = `${l.kind === 'output' ? `class ${c}` : `neuron ${c}`}: ${((bytes[c] / 255) * l.max).toFixed(3)}`;
        cells.append(s);
      }
      section.append(cells);
    }
    box.append(section);
  });
}

/** The conv layer whose filters made the maps of layer i (itself, or the conv before a pool). */
function filterLayerOf(i) {
  for (let j = i; j >= 0; j--) if (state.layers[j].kind === 'conv') return state.layers[j].name;
  return null;
}

function select(i, c, button) {
  for (const b of document.querySelectorAll('#layers .grid button[aria-pressed="true"]'))
    b.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-pressed', 'true');
  const l = state.layers[i];
  const detail = $('detail');
  detail.hidden = false;
  detail.replaceChildren();
  const fig = document.createElement('figure');
  const cv = document.createElement('canvas');
  drawPlane(cv, l, decode(l), c, heat);
  const cap = document.createElement('figcaption');
  cap.textContent = `${l.name}, map ${c}, for your digit (brightest: ${(l.max * 1).toFixed(2)} across the layer).`;
  fig.append(cv, cap);
  detail.append(fig);
  const filterLayer = filterLayerOf(i);
  const sets = (state.pictures || []).filter((s) => s.layer === filterLayer);
  const fig2 = document.createElement('figure');
  const cap2 = document.createElement('figcaption');
  const set = sets.find((s) => s.kind === 'filter') || sets.find((s) => s.kind === 'kernel');
  if (set && set.units[c]) {
    const cv2 = document.createElement('canvas');
    drawUnit(cv2, set, set.units[c]);
    cap2.textContent =
      set.kind === 'kernel'
        ? `${filterLayer} filter ${c}: its 3x3 weights (red adds, blue subtracts).`
        : `The picture that excites ${filterLayer} filter ${c} most.`;
    fig2.append(cv2, cap2);
  } else {
    cap2.textContent = `The picture ${filterLayer} filter ${c} likes most appears here once the pictures are computed.`;
    fig2.append(cap2);
  }
  detail.append(fig2);
}

// ---- maximisation pictures ------------------------------------------------------------------------------
/** Blue for negative, white for zero, red for positive (byte 128 is zero). */
function signed(v) {
  const t = 2 * v - 1;
  return t < 0 ? [255 * (1 + t), 255 * (1 + t * 0.6), 255] : [255, 255 * (1 - t * 0.6), 255 * (1 - t)];
}

function drawUnit(canvas, set, unit) {
  drawPlane(canvas, { width: set.size, height: set.size, channels: 1 }, decode(unit), 0, set.signed ? signed : grey);
}

async function loadPictures() {
  const status = $('pictures-status');
  try {
    const res = await fetch('api/pictures');
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
    state.pictures = body.sets;
    if (body.state === 'computing') {
      status.textContent = `Computing the activation-maximisation pictures (${body.done} of ${body.total} sets; about a minute on a first start, cached after)…`;
      setTimeout(loadPictures, 3000);
    } else if (body.state === 'off') {
      status.textContent = 'The server was started with --no-pictures: no activation-maximisation pictures.';
    } else if (body.state === 'failed') {
      status.textContent = `The activation-maximisation pictures could not be computed: ${body.error}`;
    } else {
      status.textContent = '';
    }
    if (state.pictures.length > 0) showPictureTabs();
  } catch (err) {
    status.textContent = `The pictures could not be loaded: ${err.message}`;
  }
}

const SET_TEXT = {
  kernel:
    'Each first-layer filter is a 3x3 weight pattern laid on the pixels (red adds, blue subtracts): edges and strokes at different angles.',
  filter: 'The picture each filter responds to most: strokes and textures, repeated wherever the filter looks.',
  class:
    "The picture each class score likes most, with a penalty on lit pixels (L1 prior): the network's idea of each digit. Below each: what the network calls it.",
};

function showPictureTabs() {
  const tabs = $('picture-tabs');
  tabs.replaceChildren();
  state.pictureTab = Math.min(state.pictureTab, state.pictures.length - 1);
  state.pictures.forEach((s, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-selected', String(i === state.pictureTab));
    b.textContent = s.title;
    b.addEventListener('click', () => {
      state.pictureTab = i;
      showPictureTabs();
    });
    tabs.append(b);
  });
  const set = state.pictures[state.pictureTab];
  $('set-text').textContent = SET_TEXT[set.kind] || '';
  const grid = $('pictures');
  grid.style.setProperty('--cell', set.kind === 'class' ? '84px' : set.kind === 'kernel' ? '48px' : '56px');
  grid.replaceChildren();
  for (const u of set.units) {
    const cell = document.createElement('div');
    const cv = document.createElement('canvas');
    drawUnit(cv, set, u);
    const cap = document.createElement('div');
    cap.className = 'unit';
    cap.textContent =
      set.kind === 'class' ? `${u.unit}: says ${u.predicted} (${Math.round(100 * u.confidence)}%)` : `filter ${u.unit}`;
    cell.append(cv, cap);
    grid.append(cell);
  }
}

// ---- start ----------------------------------------------------------------------------------------------
clearPad();
fetch('api/info')
  .then((r) => r.json())
  .then((info) => {
    state.info = info;
    $('model-name').textContent = info.model;
  })
  .catch(() => {
    $('model-name').textContent = '(unknown: the server did not answer)';
  });
loadPictures();
