/* global AudioContext, Blob, ImageData, URL, performance, requestAnimationFrame, cancelAnimationFrame, setInterval, clearInterval, setTimeout */
// speech-cnn's page: listens to the microphone continuously (a sliding window, as TensorFlow.js speech-commands
// does), records once, or takes a WAV file; shows a live level meter and spectrogram, the answer (a digit or
// "no digit"), playback of what was sent, the spectrogram the model saw and every class's probability.
// Every URL is relative, so the page works wherever its routes are mounted.
'use strict';

const $ = (id) => document.getElementById(id);
/** Seconds of audio in each request, and how often a listening page sends one. */
const WINDOW_S = 1.5;
const HOP_S = 0.5;
/** The live spectrogram: seconds shown, highest frequency, and its colour scale in dB. */
const LIVE_S = 6;
const LIVE_MAX_HZ = 4000;
const LIVE_DB = [-110, -30];
const UNKNOWN = '_unknown_';

let info = null;

function setStatus(text, state) {
  $('status').textContent = text;
  $('status').dataset.state = state;
}

// ---------------------------------------------------------------- audio helpers

/** 16-bit PCM mono WAV, the format the server reads. */
function encodeWav(samples, rate) {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (o, s) => {
    for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i));
  };
  str(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, Math.max(-1, Math.min(1, samples[i])) * 32767, true);
  return new Uint8Array(buf);
}

/** Colour ramp for spectrograms (black, purple, orange, pale yellow), v in [0, 1]. */
function colour(v) {
  const stops = [
    [0, 0, 4],
    [120, 28, 109],
    [237, 105, 37],
    [252, 255, 164],
  ];
  const x = Math.max(0, Math.min(1, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
}

const hzToMel = (hz) => 2595 * Math.log10(1 + hz / 700);

// ---------------------------------------------------------------- drawing with axes

const PLOT = { left: 58, right: 64, top: 8, bottom: 28 };

/** Axes around a plot area: y ticks [value, fraction from the bottom], x ticks [value, fraction from the left]. */
function drawAxes(g, w, h, { xTicks, yTicks, xLabel, yLabel, scale }) {
  const pw = w - PLOT.left - PLOT.right;
  const ph = h - PLOT.top - PLOT.bottom;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, PLOT.left, h);
  g.fillRect(0, h - PLOT.bottom, w, PLOT.bottom);
  g.fillRect(w - PLOT.right, 0, PLOT.right, h);
  g.fillStyle = '#333';
  g.strokeStyle = '#333';
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const [text, f] of yTicks) {
    const y = PLOT.top + ph * (1 - f);
    g.fillText(text, PLOT.left - 6, y);
    g.beginPath();
    g.moveTo(PLOT.left - 4, y);
    g.lineTo(PLOT.left, y);
    g.stroke();
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const [text, f] of xTicks) {
    const x = PLOT.left + pw * f;
    g.fillText(text, x, h - PLOT.bottom + 5);
    g.beginPath();
    g.moveTo(x, h - PLOT.bottom);
    g.lineTo(x, h - PLOT.bottom + 4);
    g.stroke();
  }
  g.textAlign = 'left';
  g.fillText(xLabel, PLOT.left, h - 12);
  g.save();
  g.translate(10, PLOT.top + ph / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.fillText(yLabel, 0, 0);
  g.restore();
  // The colour scale: a bar from the low end (bottom) to the high end (top), with its unit.
  const bx = w - PLOT.right + 10;
  for (let y = 0; y < ph; y++) {
    const [r, gr, b] = colour(1 - y / ph);
    g.fillStyle = `rgb(${r},${gr},${b})`;
    g.fillRect(bx, PLOT.top + y, 10, 1);
  }
  g.fillStyle = '#333';
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.fillText(scale.high, bx + 13, PLOT.top + 5);
  g.fillText(scale.low, bx + 13, PLOT.top + ph - 5);
  g.textBaseline = 'top';
  g.fillText(scale.unit, bx + 13, h - PLOT.bottom + 5);
}

/** Frequency ticks (Hz) at their place on the model's mel axis. */
function melTicks() {
  const lo = hzToMel(info.mel.fMin);
  const hi = hzToMel(info.mel.fMax);
  return [250, 500, 1000, 2000, 3000, 4000]
    .filter((hz) => hz >= info.mel.fMin && hz <= info.mel.fMax)
    .map((hz) => [hz >= 1000 ? `${hz / 1000}k` : String(hz), (hzToMel(hz) - lo) / (hi - lo)]);
}

/** The model's input: frames x bands in [0, 1] (0 = rangeDb below the loudest cell), low frequencies at the bottom. */
function drawModelSpectrogram(spec) {
  const canvas = $('spectrogram');
  canvas.hidden = false;
  const g = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  const img = new ImageData(spec.frames, spec.bands);
  for (let t = 0; t < spec.frames; t++) {
    for (let b = 0; b < spec.bands; b++) {
      const [r, gr, bl] = colour(spec.data[t * spec.bands + b]);
      const p = ((spec.bands - 1 - b) * spec.frames + t) * 4;
      img.data.set([r, gr, bl, 255], p);
    }
  }
  const off = document.createElement('canvas');
  off.width = spec.frames;
  off.height = spec.bands;
  off.getContext('2d').putImageData(img, 0, 0);
  g.clearRect(0, 0, w, h);
  g.imageSmoothingEnabled = false;
  g.drawImage(off, PLOT.left, PLOT.top, w - PLOT.left - PLOT.right, h - PLOT.top - PLOT.bottom);
  const secs = info.clipSeconds;
  drawAxes(g, w, h, {
    xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => [(f * secs).toFixed(1), f]),
    yTicks: melTicks(),
    xLabel: "time in the model's input (s)",
    yLabel: 'frequency (Hz, mel scale)',
    scale: { high: '0', low: `-${info.rangeDb}`, unit: 'dB' },
  });
  canvas.dataset.frames = String(spec.frames);
}

// ---------------------------------------------------------------- results

const nameOf = (label) => (label === UNKNOWN ? 'not a digit' : label);
const REASONS = {
  silence: 'silence: nothing loud enough was said',
  'not-a-digit': 'heard something, but not a digit',
};

function clearResult() {
  $('answer').textContent = '';
  $('answer').dataset.label = '';
  $('reason').textContent = '';
  $('probs').textContent = '';
  $('spectrogram').hidden = true;
  const heard = $('heard');
  if (heard.src) URL.revokeObjectURL(heard.src);
  heard.removeAttribute('src');
  heard.hidden = true;
}

function showProbabilities(probs) {
  const list = $('probs');
  list.textContent = '';
  probs.forEach((p, i) => {
    const li = document.createElement('li');
    li.dataset.label = p.label;
    li.dataset.probability = String(p.probability);
    if (i === 0) li.className = 'top';
    const name = document.createElement('span');
    name.textContent = nameOf(p.label);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(p.probability * 100).toFixed(1)}%`;
    const pct = document.createElement('span');
    pct.textContent = `${(p.probability * 100).toFixed(1)}%`;
    li.append(name, bar, pct);
    list.append(li);
  });
}

/** Draws an answer; `wav` is what was sent, for playback. */
function showResult(body, wav, what) {
  clearResult();
  const answer = $('answer');
  if (body.label === null) {
    answer.textContent = 'no digit';
    answer.dataset.label = 'none';
    $('reason').textContent = REASONS[body.reason] || body.reason;
  } else {
    answer.textContent = body.label;
    answer.dataset.label = body.label;
    const p = body.probabilities[0];
    $('reason').textContent = `${(p.probability * 100).toFixed(1)}% sure`;
  }
  answer.dataset.reason = body.reason || '';
  const heard = $('heard');
  heard.src = URL.createObjectURL(new Blob([wav], { type: 'audio/wav' }));
  heard.hidden = false;
  if (body.spectrogram) drawModelSpectrogram(body.spectrogram);
  showProbabilities(body.probabilities);
  const shown = body.label === null ? `no digit (${body.reason})` : `"${body.label}"`;
  setStatus(`${what}: ${shown}; loudest ${body.level.peakDb.toFixed(0)} dBFS.`, 'done');
}

function addHistory(body, at) {
  const li = document.createElement('li');
  li.textContent =
    body.label === null
      ? `${at.toFixed(1)} s: no digit (${body.reason})`
      : `${at.toFixed(1)} s: ${body.label} (${(body.probabilities[0].probability * 100).toFixed(0)}%)`;
  $('history').prepend(li);
  while ($('history').children.length > 8) $('history').lastChild.remove();
}

async function ask(wav) {
  const res = await fetch('api/predict', { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`the server answered ${res.status} without a readable body`);
  }
  if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
  return body;
}

function fail(err) {
  clearResult();
  setStatus(`Error: ${err.message}`, 'error');
}

// ---------------------------------------------------------------- the microphone

/** The open microphone: a ring buffer of the last seconds, a level meter and a scrolling spectrogram. */
const mic = {
  ctx: null,
  stream: null,
  ring: null,
  written: 0,
  frame: 0,
  users: 0,

  async open() {
    this.users++;
    if (this.ctx) return;
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const ctx = new AudioContext();
    this.ctx = ctx;
    await ctx.resume();
    const source = ctx.createMediaStreamSource(this.stream);
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.analyser.smoothingTimeConstant = 0;
    this.analyser.minDecibels = LIVE_DB[0];
    this.analyser.maxDecibels = LIVE_DB[1];
    source.connect(this.analyser);
    this.ring = new Float32Array(Math.ceil(ctx.sampleRate * 4));
    this.written = 0;
    // ScriptProcessor is deprecated but needs no module file; it hands over the raw samples.
    this.proc = ctx.createScriptProcessor(2048, 1, 1);
    this.proc.onaudioprocess = (e) => {
      const x = e.inputBuffer.getChannelData(0);
      for (let i = 0; i < x.length; i++) this.ring[(this.written + i) % this.ring.length] = x[i];
      this.written += x.length;
    };
    source.connect(this.proc);
    this.proc.connect(ctx.destination);
    this.source = source;
    this.lastDraw = performance.now();
    this.column = 0;
    this.frame = requestAnimationFrame(() => this.draw());
  },

  close() {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || !this.ctx) return;
    cancelAnimationFrame(this.frame);
    this.proc.disconnect();
    this.source.disconnect();
    this.stream.getTracks().forEach((t) => t.stop());
    void this.ctx.close();
    this.ctx = null;
    $('meter-fill').style.width = '0';
    $('meter-db').textContent = '-- dBFS';
  },

  /** Seconds captured so far (the audio clock of the ring buffer). */
  get seconds() {
    return this.ctx ? this.written / this.ctx.sampleRate : 0;
  },

  /** The last `seconds` of audio, and when it ended (in captured seconds). */
  last(seconds) {
    return this.range(this.seconds - seconds, this.seconds);
  },

  /**
   * The audio between two captured times (seconds since the microphone opened), as far as the ring buffer still
   * holds it, and where it starts and ends.
   */
  range(from, to) {
    const rate = this.ctx.sampleRate;
    const first = Math.max(0, this.written - this.ring.length, Math.round(from * rate));
    const end = Math.min(this.written, Math.round(to * rate));
    const out = new Float32Array(Math.max(0, end - first));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(first + i) % this.ring.length];
    return { samples: out, rate, start: first / rate, end: end / rate };
  },

  draw() {
    const a = this.analyser;
    // The level: RMS of the latest 2048 samples in dBFS.
    const t = new Float32Array(a.fftSize);
    a.getFloatTimeDomainData(t);
    let e = 0;
    for (const v of t) e += v * v;
    const db = 10 * Math.log10(e / t.length + 1e-12);
    const fill = Math.max(0, Math.min(1, (db + 90) / 90));
    $('meter-fill').style.width = `${(fill * 100).toFixed(1)}%`;
    $('meter').setAttribute('aria-valuenow', db.toFixed(0));
    $('meter-db').textContent = `${Math.max(-99, db).toFixed(0)} dBFS`;
    // The spectrogram scrolls left by the time passed since the last frame.
    const canvas = $('live');
    const g = canvas.getContext('2d');
    const { width: w, height: h } = canvas;
    const pw = w - PLOT.left - PLOT.right;
    const ph = h - PLOT.top - PLOT.bottom;
    const now = performance.now();
    this.column += ((now - this.lastDraw) / 1000) * (pw / LIVE_S);
    this.lastDraw = now;
    const step = Math.floor(this.column);
    if (step > 0) {
      this.column -= step;
      g.drawImage(canvas, PLOT.left + step, PLOT.top, pw - step, ph, PLOT.left, PLOT.top, pw - step, ph);
      const bins = new Float32Array(a.frequencyBinCount);
      a.getFloatFrequencyData(bins);
      const hzPerBin = this.ctx.sampleRate / a.fftSize;
      for (let y = 0; y < ph; y++) {
        const hz = (1 - y / ph) * LIVE_MAX_HZ;
        const v = bins[Math.min(bins.length - 1, Math.round(hz / hzPerBin))];
        const [r, gr, b] = colour((v - LIVE_DB[0]) / (LIVE_DB[1] - LIVE_DB[0]));
        g.fillStyle = `rgb(${r},${gr},${b})`;
        g.fillRect(PLOT.left + pw - step, PLOT.top + y, step, 1);
      }
    }
    drawLiveAxes();
    this.frame = requestAnimationFrame(() => this.draw());
  },
};

function drawLiveAxes() {
  const canvas = $('live');
  const g = canvas.getContext('2d');
  drawAxes(g, canvas.width, canvas.height, {
    xTicks: [6, 5, 4, 3, 2, 1, 0].map((s) => [s === 0 ? 'now' : `-${s}`, 1 - s / LIVE_S]),
    yTicks: [0, 1000, 2000, 3000, 4000].map((hz) => [String(hz), hz / LIVE_MAX_HZ]),
    xLabel: 'time (s)',
    yLabel: 'frequency (Hz)',
    scale: { high: String(LIVE_DB[1]), low: String(LIVE_DB[0]), unit: 'dB' },
  });
}

// ---------------------------------------------------------------- listening: a sliding window

const listening = { timer: 0, busy: false, lastWord: null, lastShown: '', started: 0, next: null };

/**
 * One hop: the last WINDOW_S seconds go to the server. A word is answered once, from a window that holds all of
 * it: when a sound runs into the window's end, the next request is the window that starts just before it (once
 * captured); when it was cut at the window's start, the window that ends just after it. A sound an earlier answer
 * already covered is not answered again. Requests can take longer than a hop: the windows are cut from the ring
 * buffer by time, not from whatever has just arrived.
 */
async function hop() {
  if (listening.busy || mic.seconds < WINDOW_S) return;
  const retry = listening.next;
  if (retry !== null && mic.seconds < retry + WINDOW_S) return;
  listening.next = null;
  listening.busy = true;
  const { samples, rate, start, end } = retry !== null ? mic.range(retry, retry + WINDOW_S) : mic.last(WINDOW_S);
  const wav = encodeWav(samples, rate);
  try {
    const body = await ask(wav);
    if (!listening.timer) return;
    if (body.label === null && body.reason === 'silence') {
      // The last answer stays up a while before silence replaces it.
      const quietFor = listening.lastWord ? end - listening.lastWord[1] : Infinity;
      if (listening.lastShown === 'silence' || quietFor < 3) return;
      showResult(body, wav, 'listening');
      listening.lastShown = 'silence';
      setStatus('Listening... (silence)', 'listening');
      return;
    }
    const [v0, v1] = body.voiced;
    const span = [start + v0, start + v1];
    if (listening.lastWord && span[0] < listening.lastWord[1] - 0.05) return;
    const runsOn = v1 > end - start - 0.12;
    const cutAtStart = v0 < 0.05;
    // A sound that fills the whole window (or a second look) is answered as it is.
    if (retry === null && runsOn !== cutAtStart) {
      listening.next = runsOn ? span[0] - 0.15 : Math.max(0, span[1] + 0.15 - WINDOW_S);
      return;
    }
    listening.lastWord = span;
    listening.lastShown = body.label ?? body.reason;
    showResult(body, wav, 'listening');
    addHistory(body, span[0] - listening.started);
    setStatus(`Listening... heard ${body.label === null ? `no digit (${body.reason})` : `"${body.label}"`}`, 'heard');
  } catch (err) {
    fail(err);
  } finally {
    listening.busy = false;
  }
}

async function startListening() {
  try {
    await mic.open();
  } catch (err) {
    fail(err);
    return;
  }
  listening.lastWord = null;
  listening.lastShown = '';
  listening.next = null;
  listening.started = mic.seconds;
  listening.timer = setInterval(() => void hop(), HOP_S * 1000);
  $('listen').textContent = 'Stop listening';
  $('listen').setAttribute('aria-pressed', 'true');
  setStatus('Listening... say a digit.', 'listening');
}

function stopListening() {
  clearInterval(listening.timer);
  listening.timer = 0;
  mic.close();
  $('listen').textContent = 'Start listening';
  $('listen').setAttribute('aria-pressed', 'false');
  setStatus('Stopped.', 'idle');
}

// ---------------------------------------------------------------- one recording, one file

async function recordOnce() {
  $('record').disabled = true;
  try {
    await mic.open();
    const from = mic.seconds;
    setStatus(`Recording ${WINDOW_S} s... say one digit now.`, 'recording');
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 150));
    const { samples, rate } = mic.last(Math.min(WINDOW_S, mic.seconds - from));
    const wav = encodeWav(samples, rate);
    setStatus('Classifying the recording...', 'busy');
    showResult(await ask(wav), wav, 'recording');
  } catch (err) {
    fail(err);
  } finally {
    mic.close();
    $('record').disabled = false;
  }
}

async function classifyFile() {
  const f = $('file').files[0];
  if (!f) return;
  try {
    setStatus(`Classifying ${f.name}...`, 'busy');
    const wav = new Uint8Array(await f.arrayBuffer());
    showResult(await ask(wav), wav, f.name);
  } catch (err) {
    fail(err);
  }
}

async function init() {
  for (const el of document.querySelectorAll('.window-s')) el.textContent = String(WINDOW_S);
  drawLiveAxes();
  try {
    const res = await fetch('api/info');
    info = await res.json();
    $('model-name').textContent =
      `${info.model} (${info.members > 1 ? `${info.members} networks averaged, ` : ''}words ${info.labels.join(' ')}` +
      `${info.unknownClass ? ', and a class for everything else' : ''})`;
    $('meter-gate').style.left = `${(((info.gate.minPeakDb + 90) / 90) * 100).toFixed(1)}%`;
  } catch (err) {
    fail(new Error(`cannot reach the server (${err.message})`));
    return;
  }
  $('listen').addEventListener('click', () => (listening.timer ? stopListening() : void startListening()));
  $('record').addEventListener('click', () => void recordOnce());
  $('file').addEventListener('change', () => void classifyFile());
  document.body.dataset.ready = 'true';
}

void init();
