package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Pattern;

/**
 * What a log line says about locks, from restic's own messages (v0.9.0 to v0.19.1) and VolSync's
 * entry.sh around them. Conflicts decide "lock"; vetoes are lock-flavoured lines that are not a
 * conflict with another process, and a monitor pattern that matches them decides nothing. How far
 * beyond its own line a veto cancels a monitor pattern's match is its {@link Scope}.
 */
public enum LineKind {
    /** "repository is already locked [exclusively] by PID n on host by user (UID u, GID g)", all versions. */
    ALREADY_LOCKED(Role.CONFLICT, "already-locked", "restic: the repository is locked by another process"),
    /** "Fatal: invalid lock file: load|LoadRaw(<lock/id>): ..." (0.15.1+): restic refuses until unlock --remove-all. */
    INVALID_LOCK_FILE(Role.CONFLICT, "invalid-lock-file", "restic: an unreadable lock file blocks the repository"),
    /** "the `unlock` command can be used to remove stale locks": printed only for conflicts (0.10-0.15.0, 0.16+). */
    STALE_LOCK_HINT(Role.HINT, "stale-lock-hint", "restic's hint that a stale lock blocks the repository"),
    /** "the `unlock --remove-all` command can be used to remove invalid locks" (0.15.1+). */
    INVALID_LOCK_HINT(Role.HINT, "invalid-lock-hint", "restic's hint that an invalid lock file blocks the repository"),
    /** entry.sh (VolSync 0.12+) prints this when `restic cat config` exits 11, i.e. on a lock conflict. */
    VOLSYNC_LOCK_FAILURE(Role.HINT, "volsync-lock-failure", "VolSync: restic exited 11 (lock conflict)"),
    /** restic 0.18+ with --json: {"message_type":"exit_error","code":11,...}. */
    JSON_EXIT_11(Role.HINT, "json-exit-11", "restic --json: exit code 11 (lock conflict)"),

    // A veto whose scope is WHOLE_TAIL explains the run's failure as something an unlock cannot fix,
    // so a pattern's match anywhere in the tail is taken to be a consequence of it.
    /** The run held the lock itself: lock-flavoured lines before or after are about its own lock. */
    OWN_LOCK_REFRESH(Role.VETO, Scope.WHOLE_TAIL, "own-lock-refresh", "the job's own lock could not be refreshed or removed; no other process holds it"),
    /** restic could not write to locks/ at all, so an unlock (which deletes there) would fail the same way. */
    LOCK_NOT_WRITABLE(Role.VETO, Scope.WHOLE_TAIL, "lock-not-writable", "restic could not write its own lock file (locks/ not writable or backend error), not a conflict"),
    /** The run failed on a lock file that vanished mid-read: a race, with no stale lock left to remove. */
    CIRCUIT_BREAKER(Role.VETO, Scope.WHOLE_TAIL, "circuit-breaker", "a lock file vanished while restic read it, the 0.17.0 circuit breaker of restic #5005: transient, not a conflict"),
    /** The run failed for being interrupted: later lines are its clean-up, and restic exits on a fatal lock error, so earlier ones were not. */
    SIGNAL(Role.VETO, Scope.WHOLE_TAIL, "signal", "restic was interrupted, not blocked by a lock"),
    // SAME_LINE vetoes are noise that any run, failing or not, may print around a real failure.
    /** Includes VolSync's "=== Starting unlock ===" step, which precedes every later step of the run. */
    UNLOCK_OUTPUT(Role.VETO, Scope.SAME_LINE, "unlock-output", "output of an unlock, not a failure to lock"),
    /** A help block already runs from its start to the end of the log; lines before it are not help. */
    HELP_OR_USAGE(Role.VETO, Scope.SAME_LINE, "help-or-usage", "help or usage text, not an error"),
    /** The wait may end in a real conflict printed on a later line. */
    WAITING_FOR_LOCK(Role.VETO, Scope.SAME_LINE, "waiting-for-lock", "restic waiting for a lock, which is no failure by itself (0.16+)"),
    /** Retries come before whatever outcome the run has. */
    BACKEND_RETRY(Role.VETO, Scope.SAME_LINE, "backend-retry", "a retried backend operation on a lock file, not a conflict"),
    /** Every run that locks prints it, failing or not. */
    LOCK_PROGRESS(Role.VETO, Scope.SAME_LINE, "lock-progress", "a progress message about taking a lock"),
    /** Data a diagnostic printed, not an event of the run. */
    LOCK_FILE_CONTENT(Role.VETO, Scope.SAME_LINE, "lock-file-content", "the contents of a lock file printed by a diagnostic command"),

    /** restic finished an operation: after a lock error, the run recovered; before it, it proves nothing. */
    SUCCESS(Role.SUCCESS, Scope.AFTER_MATCH, "succeeded-after", "the run succeeded after the lock message"),
    OTHER(Role.NONE, "none", "no lock-related message");

    public enum Role { CONFLICT, HINT, VETO, SUCCESS, NONE }

    /**
     * Which lines a veto cancels a monitor pattern's match on. Each scope includes the narrower
     * ones: a veto line that the pattern itself matched always cancels that match. Built-in
     * conflicts are restic's own words and are cancelled only by a success after them.
     */
    public enum Scope {
        /** Not a veto. */
        NONE,
        /** Only a match on the veto line itself. */
        SAME_LINE,
        /** A match on the veto line or on any line before it. */
        AFTER_MATCH,
        /** A match on any line of the examined tail. */
        WHOLE_TAIL
    }

    private static final int FLAGS = Pattern.CASE_INSENSITIVE;
    private static final Pattern INVALID_LOCK = Pattern.compile("invalid lock file", FLAGS);
    private static final Pattern STALE_HINT = Pattern.compile("the `?unlock`? command can be used to remove stale locks", FLAGS);
    private static final Pattern INVALID_HINT = Pattern.compile("the `?unlock --remove-all`? command can be used to remove invalid locks", FLAGS);
    private static final Pattern VOLSYNC_LOCK = Pattern.compile("^ERROR: failure locking repository", FLAGS);
    private static final Pattern REFRESH = Pattern.compile(
            "failed to refresh lock in time|unable to refresh lock|failed to refresh stale lock|lock file was removed in the meantime"
                    + "|error while unlocking|refreshing lock failed", FLAGS);
    private static final Pattern CIRCUIT = Pattern.compile("circuit breaker open", FLAGS);
    private static final Pattern CREATE_LOCK = Pattern.compile("unable to create lock|could not create lock|failed to create lock", FLAGS);
    private static final Pattern UNLOCK = Pattern.compile(
            "successfully removed (\\d+ )?locks|^=== Starting unlock ===|failure unlocking repository|No repo, ignoring unlock error", FLAGS);
    private static final Pattern HELP = Pattern.compile(
            "^Usage:|^Flags:|^Global Flags:|Remove locks other processes created|remove all locks, even non-stale ones"
                    + "|Exit status is \\d+ if the repository is already locked|--retry-lock|--no-lock|^unknown (command|flag)", FLAGS);
    private static final Pattern WAITING = Pattern.compile("repo(sitory)? already locked, waiting up to", FLAGS);
    private static final Pattern RETRY = Pattern.compile(
            "^(Save|Load|Remove|List|Stat|OpenFile|Open)\\((<lock/|lock\\b).*\\) (returned error|failed|operation successful)", FLAGS);
    private static final Pattern PROGRESS = Pattern.compile("^(create exclusive lock for repository|lock repository|open repository)$", FLAGS);
    private static final Pattern LOCK_FILE_FIELD = Pattern.compile("^\"(exclusive|hostname|username|pid|uid|gid|time)\"\\s*:", FLAGS);
    private static final Pattern SIGNALLED = Pattern.compile("signal (interrupt|terminated) received, cleaning up", FLAGS);
    private static final Pattern SUCCEEDED = Pattern.compile(
            "^snapshot [0-9a-f]+ saved$|^no errors were found$|^Summary: Restored|^done$", FLAGS);

    private final Role role;
    private final Scope scope;
    private final String id;
    private final String description;

    LineKind(Role role, String id, String description) {
        this(role, Scope.NONE, id, description);
    }

    LineKind(Role role, Scope scope, String id, String description) {
        this.role = role;
        this.scope = scope;
        this.id = id;
        this.description = description;
    }

    public Role role() {
        return role;
    }

    public Scope scope() {
        return scope;
    }

    /** Short stable name, used in reasons and by check-log --json. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** Classifies one line; {@code inHelp} is true once the log has printed a "Usage:" block. */
    static LineKind of(LogLine line, boolean inHelp) {
        String t = line.text();
        if (t.isEmpty()) {
            return OTHER;
        }
        // Conflicts first: 0.9.x flattens "Fatal: unable to create lock in backend: repository is already locked ..." into one line.
        if (LockHolder.ALREADY_LOCKED.matcher(t).find()) {
            return ALREADY_LOCKED;
        }
        if (INVALID_LOCK.matcher(t).find()) {
            return INVALID_LOCK_FILE;
        }
        if (STALE_HINT.matcher(t).find()) {
            return STALE_LOCK_HINT;
        }
        if (INVALID_HINT.matcher(t).find()) {
            return INVALID_LOCK_HINT;
        }
        if (VOLSYNC_LOCK.matcher(t).find()) {
            return VOLSYNC_LOCK_FAILURE;
        }
        if (inHelp || HELP.matcher(t).find()) {
            return HELP_OR_USAGE;
        }
        if (REFRESH.matcher(t).find()) {
            return OWN_LOCK_REFRESH;
        }
        if (CIRCUIT.matcher(t).find()) {
            return CIRCUIT_BREAKER;
        }
        if (WAITING.matcher(t).find()) {
            return WAITING_FOR_LOCK;
        }
        if (CREATE_LOCK.matcher(t).find()) {
            return LOCK_NOT_WRITABLE;
        }
        if (UNLOCK.matcher(t).find()) {
            return UNLOCK_OUTPUT;
        }
        if (RETRY.matcher(t).find()) {
            return BACKEND_RETRY;
        }
        if (PROGRESS.matcher(t).find()) {
            return LOCK_PROGRESS;
        }
        if (LOCK_FILE_FIELD.matcher(t).find()) {
            return LOCK_FILE_CONTENT;
        }
        if (SIGNALLED.matcher(t).find()) {
            return SIGNAL;
        }
        if (SUCCEEDED.matcher(t).find()) {
            return SUCCESS;
        }
        if (line.jsonExitCode() != null && line.jsonExitCode() == 11) {
            return JSON_EXIT_11;
        }
        return OTHER;
    }

    static boolean startsHelp(LogLine line) {
        return line.text().regionMatches(true, 0, "Usage:", 0, 6);
    }
}
