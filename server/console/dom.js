// A small DOM builder: text always goes in as text, never as HTML.

/** An element with attributes (`on*` functions become listeners) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A table with a header row and one row per item. */
export function table(headings, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, headings.map((heading) => h('th', {}, heading)))),
    h('tbody', {}, rows));
}

/** An epoch-milliseconds time as local date and time. */
export function time(millis) {
  return millis ? new Date(millis).toLocaleString() : '';
}

/** A state word as a coloured label. */
export function stateLabel(state) {
  return h('span', { class: `state state-${state}` }, state);
}

/** Calls `fn` once, `wait` ms after the last of a burst of calls. */
export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

/** The error's message in an error paragraph. */
export function errorText(error) {
  return h('p', { class: 'error', role: 'alert' }, error.message || String(error));
}
