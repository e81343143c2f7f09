// The live connection: a snapshot, then one event per change, over Server-Sent Events.
import { clock } from './format.js';
import { keyOf as backupKey } from './backups.js';

const KINDS = { cluster: 'clusters', backup: 'backups', unlock: 'unlocks', failure: 'failures', monitor: 'monitors' };

export function keyOf(kind, item) {
  switch (kind) {
    case 'clusters': return item.name;
    case 'monitors': return `${item.cluster}/${item.namespace}/${item.name}`;
    case 'backups': return backupKey(item);
    default: return `${item.cluster}/${item.failedPodUid}`;
  }
}

/**
 * Keeps the store in step with the hub. EventSource reconnects on its own after a dropped
 * connection; when the hub refused it (401, 503), this opens a new one a little later.
 */
export function connect(store, badge, onChange) {
  let staleSince = null;
  const show = () => {
    badge.dataset.state = staleSince ? 'stale' : 'live';
    badge.textContent = staleSince ? `stale since ${clock(staleSince)}, reconnecting` : 'live';
  };
  const open = () => {
    const source = new EventSource('api/events');
    source.addEventListener('open', () => { staleSince = null; show(); });
    source.addEventListener('error', () => {
      staleSince = staleSince || Date.now();
      show();
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(() => authenticated().then(ok => (ok ? open() : location.assign('login.html'))), 3000);
      }
    });
    source.addEventListener('snapshot', e => {
      const snapshot = JSON.parse(e.data);
      for (const kind of Object.values(KINDS)) {
        store[kind] = new Map((snapshot[kind] || []).map(item => [keyOf(kind, item), item]));
      }
      onChange();
    });
    for (const [type, kind] of Object.entries(KINDS)) {
      source.addEventListener(type, e => {
        const item = JSON.parse(e.data);
        store[kind].set(keyOf(kind, item), item);
        onChange();
      });
    }
    source.addEventListener('cluster-gone', e => {
      const { name } = JSON.parse(e.data);
      store.clusters.delete(name);
      for (const kind of ['backups', 'unlocks', 'failures', 'monitors']) {
        for (const [key, item] of store[kind]) {
          if (item.cluster === name) store[kind].delete(key);
        }
      }
      onChange();
    });
    source.addEventListener('backup-gone', e => {
      store.backups.delete(backupKey(JSON.parse(e.data)));
      onChange();
    });
    source.addEventListener('monitor-gone', e => {
      store.monitors.delete(keyOf('monitors', JSON.parse(e.data)));
      onChange();
    });
  };
  open();
}

async function authenticated() {
  try {
    return (await fetch('api/session')).status !== 401;
  } catch {
    return true;
  }
}
