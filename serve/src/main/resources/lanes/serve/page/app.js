// The draw-a-digit page: pointer events (mouse, touch and pen alike) draw on a white canvas; while the
// pointer moves, the canvas is sent as a PNG to the image endpoint, which preprocesses it exactly as
// tools/predict does and answers with the label, the ten probabilities and the 28x28 input it made.
// One request at a time: a stroke that changes the drawing while one is in flight sends again after.
'use strict';
(function () {
  const model = document.querySelector('meta[name="lanes-model"]').content;
  const endpoint = 'v1/models/' + encodeURIComponent(model) + ':image?input=true&top_k=3';
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const seen = document.getElementById('seen').getContext('2d');
  const bars = document.getElementById('bars');
  const prediction = document.getElementById('prediction');
  const confidence = document.getElementById('confidence');
  const status = document.getElementById('status');
  let drawing = false, last = null, inked = false, busy = false, dirty = false;
  let labels = null; // the model's class names, when its weight file has them

  for (let d = 0; d < 10; d++) {
    const row = document.createElement('div');
    row.className = 'bar';
    row.dataset.digit = String(d);
    row.dataset.p = '0';
    row.innerHTML = '<span class="label">' + d + '</span><span class="track"><span class="fill"></span></span><span class="value">0.0%</span>';
    bars.appendChild(row);
  }

  function clear() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
    seen.fillStyle = '#000';
    seen.fillRect(0, 0, 28, 28);
    inked = false;
    dirty = false;
    prediction.textContent = '?';
    confidence.innerHTML = '&nbsp;';
    show(new Array(10).fill(0), -1);
    say('Draw a digit in the box.');
  }

  function say(text, error) {
    status.textContent = text;
    status.className = error ? 'status error' : 'status';
  }

  function point(e) {
    const r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }

  function stroke(from, to) {
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + 0.01, to.y);
    ctx.stroke();
    inked = true;
  }

  pad.addEventListener('pointerdown', e => {
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    drawing = true;
    last = point(e);
    stroke(last, last);
    request();
  });
  pad.addEventListener('pointermove', e => {
    if (!drawing) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const c of (events.length ? events : [e])) {
      const p = point(c);
      stroke(last, p);
      last = p;
    }
    request();
  });
  const end = e => { if (drawing) { drawing = false; request(); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  document.getElementById('clear').addEventListener('click', clear);

  // Sends the drawing when nothing is in flight; otherwise marks it to be sent when the answer comes.
  function request() {
    if (!inked) return;
    if (busy) { dirty = true; return; }
    busy = true;
    dirty = false;
    pad.toBlob(blob => send(blob, 'image/png', 'drawing'), 'image/png');
  }

  async function send(body, type, name) {
    busy = true;
    try {
      const res = await fetch(endpoint + '&file=' + encodeURIComponent(name), {
        method: 'POST', headers: { 'Content-Type': type || 'application/octet-stream' }, body });
      const answer = await res.json();
      if (!res.ok) {
        say(answer.error || ('HTTP ' + res.status), true);
      } else {
        render(answer);
        say(name === 'drawing' ? 'Keep drawing, or clear and try another digit.' : 'Predicted from ' + name + '.');
      }
    } catch (err) {
      say('The server did not answer: ' + err, true);
    } finally {
      busy = false;
      if (dirty) request();
    }
  }

  function render(answer) {
    const p = answer.probabilities || answer.outputs;
    prediction.textContent = labels ? labels[answer.label] : String(answer.label);
    prediction.classList.toggle('word', prediction.textContent.length > 2);
    prediction.dataset.label = String(answer.label);
    confidence.textContent = (100 * p[answer.label]).toFixed(1) + '% sure';
    show(p, answer.label);
    if (answer.input) {
      const img = seen.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const v = Math.round(255 * Math.max(0, Math.min(1, answer.input[i])));
        img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
        img.data[4 * i + 3] = 255;
      }
      seen.putImageData(img, 0, 0);
    }
  }

  function show(p, label) {
    const rows = bars.children;
    for (let d = 0; d < rows.length; d++) {
      const v = d < p.length ? p[d] : 0;
      rows[d].dataset.p = String(v);
      rows[d].classList.toggle('top', d === label);
      rows[d].querySelector('.fill').style.width = (100 * Math.max(0, Math.min(1, v))).toFixed(1) + '%';
      rows[d].querySelector('.value').textContent = (100 * v).toFixed(1) + '%';
    }
  }

  // An image file, picked or dropped: shown in the box, predicted from its own bytes.
  function file(f) {
    if (!f) return;
    const url = URL.createObjectURL(f);
    const img = new Image();
    img.onload = () => {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, pad.width, pad.height);
      const s = Math.min(pad.width / img.width, pad.height / img.height);
      ctx.drawImage(img, (pad.width - img.width * s) / 2, (pad.height - img.height * s) / 2, img.width * s, img.height * s);
      URL.revokeObjectURL(url);
      inked = true;
    };
    img.onerror = () => URL.revokeObjectURL(url);
    img.src = url;
    send(f, f.type, f.name);
  }
  document.getElementById('file').addEventListener('change', e => { file(e.target.files[0]); e.target.value = ''; });
  document.addEventListener('dragover', e => { e.preventDefault(); document.body.classList.add('dragging'); });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', e => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    file(e.dataTransfer.files[0]);
  });

  fetch('v2/models/' + encodeURIComponent(model)).then(r => r.json()).then(m => {
    document.getElementById('model').textContent = 'model ' + m.name + ', version ' + m.versions[0];
    const names = m.lanes && m.lanes.labels;
    if (names && names.length === bars.children.length) {
      labels = names;
      bars.classList.toggle('words', names.some(n => n.length > 2));
      for (let d = 0; d < names.length; d++) bars.children[d].querySelector('.label').textContent = names[d];
    }
  }).catch(() => {});
  clear();
})();
