/** "3 min ago", from an ISO time; empty for none. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  return duration(now - Date.parse(iso)) + ' ago';
}

/** "in 3 h 5 min", to an ISO time; "due" once it has passed; empty for none. */
export function until(iso, now = Date.now()) {
  if (!iso) return '';
  const left = Date.parse(iso) - now;
  return left > 0 ? 'in ' + duration(left) : 'due';
}

/** A span of milliseconds as a person reads it: 45 s, 3 min, 2 h 5 min, 3 d. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d';
}

/** A credential this close to its expiry is shown as a warning: mint a new one. */
export const RENEW_WITHIN_MS = 7 * 86400 * 1000;

/**
 * A cluster credential's expiry as a person reads it, and whether it needs attention (under 7
 * days, or past): the words say so, not only the colour. Empty when the credential does not say.
 */
export function credential(iso, now = Date.now()) {
  const left = iso ? Date.parse(iso) - now : NaN;
  if (Number.isNaN(left)) return { text: '', warn: false };
  if (left <= 0) return { text: 'Warning: credential expired ' + duration(-left) + ' ago: mint a new one', warn: true };
  if (left < RENEW_WITHIN_MS) return { text: 'Warning: credential expires in ' + duration(left) + ': mint a new one soon', warn: true };
  return { text: 'credential expires in ' + duration(left), warn: false };
}

/** From one ISO time to another, or '' when either is missing. */
export function between(from, to) {
  return from && to ? duration(Date.parse(to) - Date.parse(from)) : '';
}

export function clock(ms) {
  return new Date(ms).toLocaleTimeString();
}

/** What to do about a cluster's error, for the errors people meet most. */
export function hint(error) {
  if (!error) return '';
  if (error.startsWith('401')) return 'Refresh this context\u2019s credentials in the kubeconfig: the token or certificate expired.';
  if (error.startsWith('403')) return 'Apply agent-config/rbac to this cluster: the hub\u2019s identity lacks the permission named here.';
  if (error.startsWith('unreachable')) return 'Check the API server address, VPN and firewall: the hub cannot reach it.';
  if (error.startsWith('404')) return 'Install the VolSyncMonitor CRD in this cluster.';
  return '';
}
