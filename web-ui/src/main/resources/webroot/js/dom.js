// Every value reaches the page as text: append() and textContent never parse HTML.

/** An element with a class (optional) and children: nodes, or values shown as text. */
export function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child instanceof Node ? child : text(child));
  return node;
}

export function text(value) {
  return document.createTextNode(value === null || value === undefined ? '' : String(value));
}

/** A table row of cells; a cell is a value or a node. */
export function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell instanceof Node && cell.tagName === 'TD' ? cell : el('td', null, cell));
  return tr;
}

/** A badge whose colour follows its state. */
export function badge(state) {
  const span = el('span', 'badge', state);
  span.dataset.state = state;
  return span;
}

/** Fills a section's table body, or shows its "empty" line. */
export function fill(section, rows) {
  const body = section.querySelector('tbody');
  body.replaceChildren(...rows);
  section.querySelector('.empty').hidden = rows.length > 0;
  section.querySelector('table').hidden = rows.length === 0;
}
