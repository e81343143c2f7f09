// The page's sections, each drawn from the store and the filters. Text only, never HTML.
import { badge, el, fill, row } from './dom.js';
import { ago, between, credential, hint } from './format.js';
import { matches } from './filters.js';
import { unlockAnchor } from './backups.js';
import * as chart from './chart.js';

export const ACTIVE = ['Queued', 'WaitingForHolder', 'Running'];

function errorCell(error, warnings) {
  const cell = el('td', 'error', error || '');
  const advice = hint(error);
  if (advice) cell.append(el('div', 'hint', advice));
  for (const warning of warnings || []) cell.append(el('div', 'warning', 'Warning: ' + warning));
  return cell;
}

function credentialCell(expiresAt) {
  const shown = credential(expiresAt);
  const cell = el('td', shown.warn ? 'warning' : null, shown.text);
  if (expiresAt) cell.title = expiresAt;
  return cell;
}

export function clusters(section, store, filter) {
  const items = [...store.clusters.values()]
    .filter(c => matches(filter, { cluster: c.name, state: c.state }))
    .sort((a, b) => a.name.localeCompare(b.name));
  fill(section, items.map(c => row([c.name, c.server, stateCell(c), ago(c.since), credentialCell(c.credentialExpiresAt),
    errorCell(c.error, c.warnings), c.monitors, c.moverPods, ago(c.lastEventAt)])));
}

/** A connected cluster this hub does not hold the Lease of: it watches, another hub acts there. */
function stateCell(c) {
  const cell = el('td', null, badge(c.state));
  if (c.state === 'Connected' && c.acting === false) {
    cell.append(el('div', 'muted', c.actingHub
      ? 'standby: acting hub is ' + c.actingHub + (c.actingSince ? ' since ' + c.actingSince : '')
      : 'standby: no hub holds the Lease'));
  }
  return cell;
}

function holderLine(u) {
  return u.state === 'WaitingForHolder' || u.state === 'Queued' ? u.reason : '';
}

/** An unlock's row carries an id, so a backup's row can link to it. */
function unlockRow(u, cells) {
  const tr = row(cells);
  tr.id = unlockAnchor(u.cluster, u.failedPodUid);
  return tr;
}

export function active(section, store, filter) {
  const items = [...store.unlocks.values()].filter(u => ACTIVE.includes(u.state) && matches(filter, u))
    .sort((a, b) => (b.detectedAt || '').localeCompare(a.detectedAt || ''));
  fill(section, items.map(u => unlockRow(u, [u.cluster, u.namespace, u.app, el('td', null, el('div', null, u.failedJob), el('div', 'muted', u.failedPod)),
    u.unlockJob || '', el('td', null, badge(u.state), el('div', 'muted', holderLine(u))), ago(u.detectedAt), el('td', 'log', u.matched)])));
}

export function history(section, store, filter) {
  const items = [...store.unlocks.values()].filter(u => !ACTIVE.includes(u.state) && matches(filter, u))
    .sort((a, b) => (b.finishedAt || '').localeCompare(a.finishedAt || ''));
  fill(section, items.map(u => unlockRow(u, [u.cluster, u.namespace, u.app, el('td', null, badge(u.state)), between(u.detectedAt, u.createdAt),
    between(u.createdAt, u.finishedAt), u.recoveredAt ? between(u.finishedAt, u.recoveredAt) + ' later' : 'not yet',
    ago(u.finishedAt), el('td', null, el('div', null, u.reason), el('div', 'muted', u.cause ? 'lock left: ' + u.cause : ''))])));
}

export function monitors(section, store, filter) {
  const items = [...store.monitors.values()].filter(m => !filter.cluster || m.cluster === filter.cluster)
    .sort((a, b) => (a.cluster + a.namespace + a.name).localeCompare(b.cluster + b.namespace + b.name));
  fill(section, items.map(m => row([m.cluster, m.namespace + '/' + m.name, m.enabled ? 'yes' : 'no',
    el('td', null, badge(m.phase || 'Unknown')), m.detected, m.created, m.succeeded, m.failed, m.removed, m.active,
    el('td', m.problems ? 'error' : null, m.problems || (m.trusted ? '' : 'namespace not trusted: ignored'))])));
}

export function failures(section, store, filter) {
  const items = [...store.failures.values()].filter(f => !['joined', 'unlocked'].includes(f.decision) && matches(filter, { ...f, state: undefined }))
    .sort((a, b) => (b.seenAt || '').localeCompare(a.seenAt || ''));
  fill(section, items.map(f => row([f.cluster, f.namespace, f.failedJob, f.failedPod, f.decision, f.reason, ago(f.seenAt)])));
}

export function timeline(section, store, filter) {
  const names = [...store.clusters.keys()].filter(n => !filter.cluster || n === filter.cluster).sort();
  const unlocks = [...store.unlocks.values()].filter(u => matches(filter, { ...u, state: undefined }));
  chart.render(section.querySelector('.chart-body'), names, unlocks);
}
