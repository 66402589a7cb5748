// embed-example.html: what a course page does with the iframe's messages. It logs every event
// the frame posts, and sends it commands (start, stop, a snapshot of the output).

const frame = document.getElementById('frame');
const log = document.getElementById('log');
const snapshot = document.getElementById('snapshot');

function write(text) {
  const li = document.createElement('li');
  li.textContent = text;
  log.append(li);
  li.scrollIntoView({block: 'nearest'});
}

const loss = (v) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(3) : String(v));

// Only messages from our frame that say they are texsynth's count; a page may hold other frames.
window.addEventListener('message', (e) => {
  const m = e.data;
  if (e.source !== frame.contentWindow || !m || m.source !== 'texsynth') return;
  switch (m.type) {
    case 'frame': write(`frame ${m.iter}/${m.iters}  loss ${loss(m.loss)}  ${m.seconds.toFixed(2)} s`); break;
    case 'started': write(`started: ${m.iters} iterations at ${m.size} px on ${m.layers.join(', ')}`); break;
    case 'done':
    case 'stopped': write(`${m.type} after ${m.iter}/${m.iters} iterations, loss ${loss(m.loss)}, ${m.seconds.toFixed(1)} s`); break;
    case 'error': write(`error (${m.kind}, ${m.during}): ${m.message}`); break;
    case 'snapshot':
      write(m.dataURL ? `snapshot at iteration ${m.iter}/${m.iters}` : 'snapshot: nothing drawn yet');
      if (m.dataURL) {
        snapshot.src = m.dataURL;
        snapshot.hidden = false;
      }
      break;
    default: write(m.type);
  }
});

const send = (type) => frame.contentWindow.postMessage({type}, location.origin);
document.getElementById('cmd-start').addEventListener('click', () => send('start'));
document.getElementById('cmd-stop').addEventListener('click', () => send('stop'));
document.getElementById('cmd-snapshot').addEventListener('click', () => send('snapshot'));
