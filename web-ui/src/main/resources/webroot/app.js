// The dashboard: every cluster and every unlock of the hub, kept live over Server-Sent Events.
import * as filters from './js/filters.js';
import * as views from './js/views.js';
import * as backups from './js/backups.js';
import { connect } from './js/live.js';

const store = { clusters: new Map(), backups: new Map(), unlocks: new Map(), failures: new Map(), monitors: new Map() };
const form = document.getElementById('filters');
const section = id => document.getElementById(id);
const STATES = ['Connected', 'Connecting', 'Failed', 'Queued', 'WaitingForHolder', 'Running', 'Succeeded', ...backups.STATES];

let scheduled = false;
function render() {
  scheduled = false;
  filters.options(form, 'cluster', [...store.clusters.keys()]);
  filters.options(form, 'namespace', [...store.backups.values(), ...store.unlocks.values(), ...store.failures.values()].map(i => i.namespace));
  filters.options(form, 'state', STATES);
  const filter = filters.current();
  backups.render(section('backups'), store, filter);
  views.clusters(section('clusters'), store, filter);
  views.active(section('active'), store, filter);
  views.timeline(section('chart'), store, filter);
  views.history(section('history'), store, filter);
  views.monitors(section('monitors'), store, filter);
  views.failures(section('failures'), store, filter);
}

/** Many events in a burst draw the page once. A timer, not requestAnimationFrame: that one stops in a background tab. */
function changed() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(render, 50);
  }
}

filters.bind(form, changed);
connect(store, document.getElementById('live'), changed);
// "3 min ago" keeps moving, and the chart's hours with it.
setInterval(changed, 10_000);
fetch('api/session').then(r => r.json()).then(s => {
  document.getElementById('logout').hidden = !s.tokenRequired;
  // The hub serves without a token on an address others reach only when told to: say so on every view.
  document.getElementById('open-banner').hidden = !s.openToNetwork;
}).catch(() => {});
