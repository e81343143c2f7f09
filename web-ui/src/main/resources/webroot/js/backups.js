// The Backups section: is anything wrong, in every cluster, at a glance. Worst first; the state is
// always written out, never carried by colour alone.
import { badge, el, fill, row } from './dom.js';
import { ago, until } from './format.js';
import { matches } from './filters.js';

/** Worst first: what needs a person comes before what will sort itself out or is fine. */
export const STATES = ['Failing', 'Locked', 'Late', 'NeverSucceeded', 'Unknown', 'Paused', 'Healthy'];

const WORDS = { Failing: 'failing', Locked: 'locked', Late: 'late', NeverSucceeded: 'never succeeded', Unknown: 'unknown', Paused: 'paused', Healthy: 'healthy' };

export function keyOf(item) {
  return `${item.cluster}/${item.kind}/${item.namespace}/${item.name}`;
}

function rank(state) {
  const i = STATES.indexOf(state);
  return i < 0 ? STATES.length : i;
}

/** "41 healthy, 1 late, 1 locked", worst first, or "no backups". */
export function summary(items) {
  const counts = new Map();
  for (const b of items) counts.set(b.state, (counts.get(b.state) || 0) + 1);
  const parts = [...counts].sort((a, b) => rank(a[0]) - rank(b[0])).map(([state, n]) => `${n} ${WORDS[state] || state}`);
  return parts.length ? parts.join(', ') : 'no backups';
}

/** The id of an unlock's row in the unlock tables, so a backup can link to it. */
export function unlockAnchor(cluster, failedPodUid) {
  return `unlock-${cluster}-${failedPodUid}`;
}

function unlockCell(b) {
  if (!b.unlockPodUid) return '';
  const link = el('a', null, b.unlockState || 'unlock');
  link.href = '#' + unlockAnchor(b.cluster, b.unlockPodUid);
  const cell = el('td', null, link);
  if (b.unlockCause) cell.append(el('div', 'muted', 'cause: ' + b.unlockCause));
  return cell;
}

function nameCell(b) {
  return el('td', null, el('div', null, b.namespace + '/' + b.name),
    el('div', 'muted', (b.kind === 'ReplicationDestination' ? 'destination' : 'source') + (b.mover ? ', ' + b.mover : '')));
}

export function render(section, store, filter) {
  const all = [...store.backups.values()].filter(b => matches(filter, b));
  const clusters = [...new Set(all.map(b => b.cluster))].sort();
  const lines = section.querySelector('.summary');
  lines.replaceChildren(...clusters.map(c => {
    const line = el('li', null, el('strong', null, c + ': '), summary(all.filter(b => b.cluster === c)));
    line.dataset.cluster = c;
    return line;
  }));
  const items = all.sort((a, b) => rank(a.state) - rank(b.state)
    || (a.lastSyncTime || '').localeCompare(b.lastSyncTime || '') || keyOf(a).localeCompare(keyOf(b)));
  fill(section, items.map(b => row([b.cluster, nameCell(b), el('td', null, badge(b.state), el('div', 'reason', b.reason)),
    b.lastSyncTime ? ago(b.lastSyncTime) : 'never', until(b.nextSyncTime), unlockCell(b)])));
}
