package com.rafaribe.homelab.hub.backups;

/**
 * One backup's health, in order of precedence: when several hold, the first of this list is the
 * state and its reason is the one shown.
 * <ol>
 *   <li>{@link #Unknown}: the cluster is not Connected, so nothing the hub holds about it is current.</li>
 *   <li>{@link #Paused}: a person paused it ({@code spec.paused}); no sync runs, so failing or late would be expected.</li>
 *   <li>{@link #Locked}: a lock failure the hub is waiting on or unlocking: the failures are that lock, and the hub is on it.</li>
 *   <li>{@link #Failing}: the last result was Failed, failed mover pods since the last success, or an unlock that failed.</li>
 *   <li>{@link #NeverSucceeded}: no sync ever completed (a new backup, or one that never worked).</li>
 *   <li>{@link #Late}: no success for more than two schedule intervals (26 h when the schedule cannot be read).</li>
 *   <li>{@link #Healthy}: none of the above.</li>
 * </ol>
 */
public enum BackupState {
    Unknown, Paused, Locked, Failing, NeverSucceeded, Late, Healthy
}
