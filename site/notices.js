// Notices where the person is looking: a stack fixed to the bottom of the window, each notice
// staying until it is dismissed or replaced by a newer one of its group, and said once to screen
// readers through one live region (the stack itself is not live, so nothing is read twice).
// Run starts and ends are announced through the same region; the status line is not live, so a
// screen reader does not read every iteration.

export class Notices {
  // stack: the element notices go in; live: a visually hidden element with aria-live.
  constructor(stack, live) {
    this.stack = stack;
    this.live = live;
  }

  // show adds a notice (the same text again replaces the first).
  show(text, kind = 'info', group = '') {
    for (const n of [...this.stack.children]) if (n.firstChild.textContent === text) n.remove();
    const div = document.createElement('div');
    div.className = `notice ${kind}`;
    div.dataset.group = group;
    div.dataset.kind = kind;
    div.setAttribute('data-testid', 'notice');
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.setAttribute('aria-label', 'dismiss this notice');
    close.textContent = '×';
    close.onclick = () => div.remove();
    div.append(span, close);
    this.stack.append(div);
    while (this.stack.children.length > 5) this.stack.firstElementChild.remove();
    this.announce(text);
    return div;
  }

  clear(group) {
    for (const n of [...this.stack.children]) if (n.dataset.group === group) n.remove();
  }

  // announce says text to screen readers once.
  announce(text) {
    this.live.textContent = '';
    // A new text node in a later task is what screen readers reliably announce.
    setTimeout(() => { this.live.textContent = text; }, 30);
  }
}
