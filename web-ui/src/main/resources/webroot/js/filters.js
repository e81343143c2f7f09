// Filters live in the URL, so a filtered view can be shared and survives a reload.
const NAMES = ['cluster', 'namespace', 'state'];

export function current() {
  const params = new URLSearchParams(location.search);
  return Object.fromEntries(NAMES.map(n => [n, params.get(n) || '']));
}

/** Wires the form to the URL; onChange runs after every change. */
export function bind(form, onChange) {
  const values = current();
  for (const name of NAMES) form.elements[name].value = values[name];
  form.addEventListener('change', () => {
    const params = new URLSearchParams();
    for (const name of NAMES) if (form.elements[name].value) params.set(name, form.elements[name].value);
    const query = params.toString();
    history.replaceState(null, '', query ? '?' + query : location.pathname);
    onChange();
  });
}

/** Keeps each select's options in step with the data, never dropping the chosen value. */
export function options(form, name, values) {
  const select = form.elements[name];
  const chosen = current()[name];
  const all = [...new Set([...values, ...(chosen ? [chosen] : [])])].sort();
  const existing = [...select.options].slice(1).map(o => o.value);
  if (existing.join('\n') === all.join('\n')) return;
  select.replaceChildren(new Option('all', ''), ...all.map(v => new Option(v, v)));
  select.value = chosen;
}

export function matches(filter, item) {
  return (!filter.cluster || item.cluster === filter.cluster)
    && (!filter.namespace || item.namespace === undefined || item.namespace === filter.namespace)
    && (!filter.state || item.state === undefined || item.state === filter.state);
}
